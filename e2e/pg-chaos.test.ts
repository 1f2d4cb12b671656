// The saga when PostgreSQL dies: the whole marketplace as processes, on an
// embedded PostgreSQL of its own that the supervisor started (as under
// `make start`), bookings submitted continuously, and the postmaster killed
// with SIGKILL twice while bookings are in flight; the first kill lands while
// bookings are still being submitted (the second half waits for it, so they
// meet the outage and the restart). The supervisor restarts PostgreSQL; every
// service becomes ready again without a restart of its own, and every
// connection that listened for notifications listens again; once the run is
// over every paid booking is CONFIRMED, or FAILED with its card refunded,
// nothing lost or doubled (the crash test's ledger checks: saga.fixture.ts).
// Counts and recovery times are printed.
// test-timeout-seconds: 400
// test-heavy
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import { startMarketplace, type Marketplace } from "./marketplace.fixture.js";
import { assertSagaLedger, prepareSaga, sagaLedger, sagaProgress, submitBookings } from "./saga.fixture.js";

const BOOKINGS = Number(process.env.PG_CHAOS_BOOKINGS ?? 60);
const CUSTOMERS = 10;
const IN_FLIGHT = 8;
const KILLS = 2;
/** Saga events published between two kills: kills follow the run's progress, not the clock. */
const EVENTS_PER_KILL = 20;

let m: Marketplace;
/** What the supervisor said about PostgreSQL. */
const said: string[] = [];

test.before(async () => {
  m = await startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000" }, {
    ownPostgres: true,
    onSay: (line) => {
      if (line.includes("PostgreSQL")) said.push(line);
    },
  });
});

test.after(async () => {
  await m?.close();
});

/** Connections that listen for notifications (the bus's wake-ups, the caches' change signals): their last statement was a LISTEN. */
async function listeners(url: string): Promise<number> {
  const db = new pg.Client({ connectionString: url });
  db.on("error", () => {});
  try {
    await db.connect();
    const r = await db.query<{ n: string }>(`select count(*) as n from pg_stat_activity where query ilike 'listen %'`);
    return Number(r.rows[0]!.n);
  } finally {
    await db.end().catch(() => {});
  }
}

const services = () => m.system.specs.filter((s) => s.readyPath === "/readyz").map((s) => s.name);
const ready = async (name: string) => (await fetch(`${m.system.url(name)}/readyz`).catch(() => undefined))?.status === 200;
const allReady = async () => (await Promise.all(services().map(ready))).every(Boolean);

test(`${BOOKINGS} bookings while PostgreSQL is killed with SIGKILL ${KILLS} times`, async () => {
  const postgres = m.system.postgres;
  assert.ok(postgres, "the system runs its own embedded PostgreSQL");
  const run = await prepareSaga(m, { bookings: BOOKINGS, customers: CUSTOMERS });

  // The killer waits for facts: every service ready, EVENTS_PER_KILL more saga events since the last kill, and a
  // booking in flight (being paid or paid, its e-mail not sent yet). Then SIGKILL to the postmaster, and it waits
  // for the supervisor's restart and every service's readiness, timing both. The second half of the bookings waits
  // for the first kill, so that it lands while bookings are being submitted and they meet the outage.
  let begun = 0;
  let submitting = true;
  const kills: { inFlight: number; submitting: boolean; listening: number; backSeconds: string; readySeconds: string; listeningSeconds: string }[] = [];
  let firstKill!: () => void;
  const firstKillLanded = new Promise<void>((resolve) => (firstKill = resolve));
  const killer = (async () => {
    let publishedAtLastKill = 0;
    for (let i = 1; i <= KILLS; i++) {
      const { published, inFlight } = await until(
        `kill ${i}: every service ready, ${EVENTS_PER_KILL} more events, a booking in flight`,
        async () => {
          if (!(await allReady())) return undefined;
          const { finished, published } = await sagaProgress(m);
          const inFlight = begun - finished;
          return published - publishedAtLastKill >= EVENTS_PER_KILL && inFlight > 0 ? { published, inFlight } : undefined;
        },
        240_000,
      );
      const listening = await listeners(m.databaseUrl);
      const whileSubmitting = submitting;
      const killedAt = Date.now();
      await postgres.kill("SIGKILL");
      firstKill();
      const seconds = () => ((Date.now() - killedAt) / 1000).toFixed(1);
      await until(`PostgreSQL restarted after kill ${i}`, () => (postgres.restarts() === i ? true : undefined), 60_000);
      const backSeconds = seconds();
      await until(`every service ready after kill ${i}`, async () => ((await allReady()) ? true : undefined), 60_000);
      const readySeconds = seconds();
      // No notification is lost for good: every listener listens again on the new server (a fact, not a timer).
      await until(
        `${listening} connections listening again after kill ${i}`,
        async () => ((await listeners(m.databaseUrl).catch(() => 0)) >= listening ? true : undefined),
        60_000,
      );
      kills.push({ inFlight, submitting: whileSubmitting, listening, backSeconds, readySeconds, listeningSeconds: seconds() });
      publishedAtLastKill = published;
    }
  })();

  const started = Date.now();
  const paid = await submitBookings(run, {
    inFlight: IN_FLIGHT,
    onBegin: () => begun++,
    before: (n) => (n >= BOOKINGS / 2 ? firstKillLanded : Promise.resolve()),
  });
  submitting = false;
  const submittedMs = Date.now() - started;
  await killer;

  const ledger = await sagaLedger(run, paid);
  const restartedServices = Object.entries(m.system.exits()).filter(([, n]) => n > 0);
  const report = {
    ...ledger,
    postgres_kills: kills.map((k) => `SIGKILL(${k.inFlight} in flight${k.submitting ? ", while submitting" : ""}; back in ${k.backSeconds} s, every service ready in ${k.readySeconds} s, its ${k.listening} listeners in ${k.listeningSeconds} s)`).join(","),
    service_restarts: restartedServices.map(([name, n]) => `${name}:${n}`).join(",") || "none",
    submit_seconds: (submittedMs / 1000).toFixed(1),
  };
  console.log(`pg chaos test: ${JSON.stringify(report)}`);
  console.log(`the supervisor said:\n${said.join("\n")}`);

  assert.is(kills.length, KILLS);
  assert.ok(kills.every((k) => k.listening > 0), "no connection listened for notifications before a kill: nothing to check");
  assert.ok(kills[0]!.submitting, "the first kill landed before the second half of the bookings was submitted");
  assert.is(postgres.restarts(), KILLS, "the supervisor restarted PostgreSQL after each kill");
  assert.is(said.filter((l) => l.startsWith("PostgreSQL is back after")).length, KILLS, "the supervisor says when PostgreSQL is back");
  assert.equal(restartedServices, [], "a service had to be restarted: services must recover from a PostgreSQL restart by themselves");
  assertSagaLedger(run, ledger);
});

test.run();
