// The crash test (crash.fixture.ts) on the PostgreSQL bus: 120 bookings while
// booking, sellers, mailer and payment are killed with SIGKILL again and again.
// test-timeout-seconds: 600
import { crashTest } from "./crash.fixture.js";
import { startMarketplace } from "./marketplace.fixture.js";

crashTest({
  bus: "the PostgreSQL log",
  bookings: Number(process.env.CRASH_BOOKINGS ?? 120),
  start: () => startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000" }),
});
