// The saga under crashes: 200 bookings flow through the real processes while
// booking, sellers, mailer and payment are killed with SIGKILL again and
// again (the supervisor restarts them). Afterwards every paid booking must
// be CONFIRMED, or FAILED with its card refunded; no card charged twice; no
// seller booking made twice; exactly one e-mail per reservation; every
// wallet reconciles with its statement. The test also proves what it
// exercised: sellers refused some bookings (each one ended FAILED), and kills
// landed while bookings were in flight (each kill records how many were).
// Counts are printed; any mismatch fails the test.
// test-timeout-seconds: 600
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import { startMarketplace, type Marketplace } from "./marketplace.fixture.js";
import { assertSagaLedger, prepareSaga, sagaLedger, sagaProgress, submitBookings } from "./saga.fixture.js";

const BOOKINGS = Number(process.env.CRASH_BOOKINGS ?? 200);
const CUSTOMERS = 20;
const IN_FLIGHT = 8;
const VICTIMS = ["booking", "sellers", "mailer", "payment"] as const;
/** Saga events published between two kills: kills follow the run's progress, not the clock. */
const EVENTS_PER_KILL = 10;

let m: Marketplace;

test.before(async () => {
  m = await startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000" });
});

test.after(async () => {
  await m?.close();
});

const ready = async (name: string) => (await fetch(`${m.system.url(name)}/readyz`).catch(() => undefined))?.status === 200;

test(`${BOOKINGS} bookings while booking, sellers, mailer and payment are killed`, async () => {
  const run = await prepareSaga(m, { bookings: BOOKINGS, customers: CUSTOMERS });

  // The killer: one victim at a time, SIGKILL, while bookings flow and a little after. Each kill waits for facts:
  // every victim is back and ready (one down at a time), the saga published EVENTS_PER_KILL more events since the
  // last kill (or has nothing left in flight), and — while bookings flow — at least one booking is in flight (paid
  // for, or being paid, and its e-mail not sent yet), a count recorded with the kill.
  let flowing = true;
  let begun = 0; // bookings whose payment was asked for
  const kills: { victim: string; inFlight: number }[] = [];
  const killer = (async () => {
    let publishedAtLastKill = 0;
    for (let i = 0; flowing || i < 8; i++) {
      const victim = VICTIMS[i % VICTIMS.length]!;
      const { published, inFlight } = await until(
        `kill ${i + 1} (${victim}): every victim ready, ${EVENTS_PER_KILL} more events, a booking in flight`,
        async () => {
          if (!(await Promise.all(VICTIMS.map(ready))).every(Boolean)) return undefined;
          const { finished, published } = await sagaProgress(m);
          const inFlight = begun - finished;
          const progressed = published - publishedAtLastKill >= EVENTS_PER_KILL || (!flowing && inFlight === 0);
          return progressed && (inFlight > 0 || !flowing) ? { published, inFlight } : undefined;
        },
        240_000,
      );
      await m.system.kill(victim, "SIGKILL");
      kills.push({ victim, inFlight });
      publishedAtLastKill = published;
    }
  })();

  const started = Date.now();
  const paid = await submitBookings(run, { inFlight: IN_FLIGHT, onBegin: () => begun++ });
  flowing = false;
  const submittedMs = Date.now() - started;
  await killer;

  const ledger = await sagaLedger(run, paid);
  const report = {
    ...ledger,
    kills: kills.map((k) => `${k.victim}(${k.inFlight} in flight)`).join(","),
    submit_seconds: (submittedMs / 1000).toFixed(1),
  };
  console.log(`crash test: ${JSON.stringify(report)}`);

  assert.ok(kills.length >= 8, `${kills.length} kills`);
  assert.ok(kills.some((k) => k.inFlight > 0), "no kill landed while a booking was in flight");
  assertSagaLedger(run, ledger);
});

test.run();
