// The crash test (crash.fixture.ts) on the PostgreSQL bus: 120 bookings while
// booking, sellers, mailer and payment are killed with SIGKILL again and again.
// A room-night sells out at its eighth booking (BOOKING_ROOM_THRESHOLD; about ten come), so
// that rooms sell out and cancellations and failures give nights back.
// test-timeout-seconds: 600
// test-heavy
import { crashTest } from "./crash.fixture.js";
import { startMarketplace } from "./marketplace.fixture.js";

crashTest({
  bus: "the PostgreSQL log",
  bookings: Number(process.env.CRASH_BOOKINGS ?? 120),
  start: () => startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000", BOOKING_ROOM_THRESHOLD: "8" }),
});
