// A cluster on loopback (issue 12): two replicas of every internal service as
// separate processes (scripts/system.ts ITINERA_REPLICAS=2), every caller —
// the services and this test — given both replicas in its URL variable and
// balancing over them. Under fixed-rate search and booking load:
//   1. rolling restart: every replica of every service is restarted, one at a
//      time (SIGTERM, wait until the supervisor's new process is ready, then
//      the next) →
//      0 failed searches, and the crash test's ledger checks: no booking lost
//      or doubled, money balanced, every e-mail once;
//   2. one replica of every service is killed with SIGKILL mid-load (at once)
//      → searches may degrade (an answer naming what it lacks) but not fail;
//      the same ledger checks on that phase's bookings.
// It prints, per phase, requests, errors by code, degraded answers, bookings
// and restarts. The bus is PostgreSQL's: replicas compete for the same
// consumer groups on both engines (the NATS engine has its own crash tests),
// and it starts no NATS server on two busy cores.
// test-timeout-seconds: 420
// test-heavy
import { randomBytes } from "node:crypto";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../endpoints/errors.js";
import { until } from "../platform/processes.testing.js";
import { dateOf, dayNumber, utcToday } from "../sandbox/calendar.js";
import { CARDS, startMarketplace, type Marketplace } from "./marketplace.fixture.js";
import { assertPathsRan, assertSagaLedger, CANCEL_EVERY, cancelWhileBooking, prepareSaga, sagaLedger, type Paid, type SagaRun } from "./saga.fixture.js";

const SERVICES = ["identity", "wallet", "catalog", "pricing", "booking", "payment", "sellers", "mailer", "search"] as const;
/** The fixed rates: searches and bookings started per second, whatever the answers take. */
const SEARCHES_PER_SECOND = 4;
const BOOKINGS_PER_SECOND = 0.5;
/** What a customer's wallet pays of each booking (the saga fixture's markdown). */
const MARKDOWN = 150n;
/** A booking's calls are retried (same idempotency key) as a client would, for this long. */
const BOOKING_RETRY_MS = 60_000;
/** Bookings a phase makes at most (its customers' wallets cover each one's markdown; the sandbox sellers refuse 10 / this of them). */
const MAX_BOOKINGS = 40;

let m: Marketplace;
/** What the supervisor said (exits and restarts), for a failure's message. */
const said: string[] = [];
const started = Date.now();

test.before(async () => {
  m = await startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000" }, { replicas: 2, onSay: (line) => said.push(line) }).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the supervisor said: ${said.join(" | ")}`);
  });
});

test.after(async () => {
  await m?.close();
});

const codeName = (e: unknown) => (e instanceof KitError ? Code[e.code]! : "not a call error");
const bump = (counts: Record<string, number>, key: string) => (counts[key] = (counts[key] ?? 0) + 1);
/** The first few distinct messages of the errors met, for the printout (what failed, not only how often). */
const samples = new Set<string>();
const sample = (what: string, e: unknown) => {
  if (samples.size < 12) samples.add(`${what}: ${codeName(e)} ${(e instanceof Error ? e.message : String(e)).slice(0, 160)}`);
};
const ready = async (name: string) => (await fetch(`${m.system.url(name)}/readyz`).catch(() => undefined))?.status === 200;

/** Searches and bookings started at fixed rates until stop(); what they met is counted. */
function load(run: SagaRun) {
  const counts = {
    searches: 0,
    search_errors: {} as Record<string, number>,
    degraded: 0,
    bookings: 0,
    booking_call_errors: {} as Record<string, number>,
    booking_given_up: 0,
  };
  const paid: Paid[] = [];
  const pending = new Set<Promise<void>>();
  const track = (p: Promise<void>) => {
    pending.add(p);
    void p.finally(() => pending.delete(p));
  };
  const today = dayNumber(utcToday())!;
  const search = async (n: number) => {
    const customer = run.customers[n % run.customers.length]!;
    const day = 3 + (n % 10);
    const [y1, m1, d1] = dateOf(today + day).split("-").map(Number) as [number, number, number];
    const [y2, m2, d2] = dateOf(today + day + 2).split("-").map(Number) as [number, number, number];
    counts.searches++;
    try {
      const res = await m.clients.search.searchHotels(m.ctx(customer.principal, 5000), {
        query: { query: "Lisbon", checkIn: { year: y1, month: m1, day: d1 }, checkOut: { year: y2, month: m2, day: d2 }, pageSize: 20 },
      });
      if ((res.results?.degraded.length ?? 0) > 0) counts.degraded++;
    } catch (e) {
      bump(counts.search_errors, codeName(e));
      sample("search", e);
    }
  };
  const book = async (n: number) => {
    const customer = run.customers[n % run.customers.length]!;
    const stay = run.stays[n % run.stays.length]!;
    const markdown = stay.listedMinor > MARKDOWN * 2n ? MARKDOWN : 0n;
    const offer = { ...stay, quote: undefined, markdownMinor: markdown, priceMinor: stay.listedMinor - markdown };
    const key = `cluster-${n}-${randomBytes(4).toString("hex")}`;
    counts.bookings++;
    const deadline = Date.now() + BOOKING_RETRY_MS;
    for (;;) {
      try {
        const { paymentId } = await m.pay(customer, offer, CARDS.authorises, key);
        // As in the crash tests, some customers cancel while the seller books: the cancellation path runs under the restarts too.
        const cancelAsked = n % CANCEL_EVERY === 2;
        if (cancelAsked) await cancelWhileBooking(m, customer, paymentId);
        paid.push({ customer, paymentId, offer, cancelAsked });
        return;
      } catch (e) {
        bump(counts.booking_call_errors, codeName(e));
        sample("booking", e);
        if (Date.now() > deadline) {
          counts.booking_given_up++;
          return;
        }
        await new Promise((r) => setTimeout(r, 300));
      }
    }
  };
  let searches = 0;
  let bookings = 0;
  const searchTimer = setInterval(() => track(search(searches++)), 1000 / SEARCHES_PER_SECOND);
  const bookingTimer = setInterval(() => bookings < MAX_BOOKINGS && track(book(bookings++)), 1000 / BOOKINGS_PER_SECOND);
  track(book(bookings++));
  return {
    counts,
    paid,
    /** Stops starting new calls and waits for those under way. */
    async stop() {
      clearInterval(searchTimer);
      clearInterval(bookingTimer);
      while (pending.size > 0) await Promise.all([...pending]);
    },
  };
}

/** SIGTERM or SIGKILL `name`, then wait until the supervisor's new process answers ready. */
async function restart(name: string, signal: NodeJS.Signals): Promise<void> {
  const before = m.system.pid(name);
  await m.system.kill(name, signal);
  await until(`${name} back and ready after ${signal}`, async () => {
    const pid = m.system.pid(name);
    return pid !== undefined && pid !== before && (await ready(name)) ? true : undefined;
  }, 90_000).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}; the supervisor said: ${said.filter((l) => l.startsWith(name)).join(" | ")}`);
  });
}

type Load = ReturnType<typeof load>;

/** One phase: load on fresh customers while `faults` runs, then the ledger of that phase's bookings. */
async function phase(label: string, faults: (running: Load) => Promise<string[]>) {
  // At most MAX_BOOKINGS per phase: the sellers refuse some of them (10 / bookings), so the compensation path runs too.
  const run = await prepareSaga(m, { bookings: MAX_BOOKINGS, customers: 4 });
  const exitsBefore = m.system.exits();
  const since = Date.now();
  const running = load(run);
  const restarted = await faults(running);
  await running.stop();
  const seconds = ((Date.now() - since) / 1000).toFixed(1);
  const exitsAfter = m.system.exits();
  const ledger = await sagaLedger({ ...run, bookings: running.paid.length }, running.paid);
  // Why bookings failed (the sellers' refusals, or something a restart did), by reason.
  const failures: Record<string, number> = {};
  for (const c of run.customers) {
    const list = await m.clients.booking.listReservations(m.ctx(c.principal), { pageSize: 100 });
    for (const r of list.reservations) if (r.failureReason) bump(failures, r.failureReason.slice(0, 80));
  }
  const report = {
    phase: label,
    seconds,
    ...running.counts,
    restarts: Object.entries(exitsAfter)
      .filter(([name, n]) => n > (exitsBefore[name] ?? 0))
      .map(([name]) => name)
      .join(","),
    processes_restarted: restarted.length,
    ...ledger,
    failure_reasons: failures,
    error_samples: [...samples],
  };
  samples.clear();
  console.log(`cluster test: ${JSON.stringify(report)}`);
  return { run: { ...run, bookings: running.paid.length }, ledger, counts: running.counts, restarted };
}

test("two replicas of every service: a rolling restart and a SIGKILL of one replica each lose nothing", async () => {
  for (const s of SERVICES) assert.equal(m.system.replicasOf(s), [s, `${s}-2`], `${s} runs two replicas`);
  // The search client of this test balances over both search replicas; so does every service over its peers.
  await m.findStays(undefined, 1);

  const rolling = await phase("rolling restart (SIGTERM, every replica, one at a time)", async () => {
    // One replica at a time across the whole system, as a rolling update does (and as two cores can carry).
    const done: string[] = [];
    for (const s of SERVICES) {
      for (const name of m.system.replicasOf(s)) {
        await restart(name, "SIGTERM");
        done.push(name);
      }
    }
    return done;
  });
  const killed = await phase("SIGKILL of one replica of each service, mid-load", async (running) => {
    const { counts, paid } = running;
    // The kills land mid-load: a booking paid in this phase, another one under way, searches answered.
    await until("a booking paid and another under way", () => (paid.length > 0 && counts.bookings > paid.length && counts.searches > 4 ? true : undefined), 60_000);
    const victims = SERVICES.map((s) => m.system.replicasOf(s).at(-1)!);
    await Promise.all(victims.map((name) => restart(name, "SIGKILL")));
    // The load goes on over the whole cluster again: more searches and another booking paid after every replica is back.
    const back = { searches: counts.searches, paid: paid.length };
    // Enough bookings after the kills that the phase has its own share of refusals and cancellations.
    await until("searches and bookings after the kills", () => (counts.searches >= back.searches + 8 && paid.length >= back.paid + 6 ? true : undefined), 60_000);
    return victims;
  });
  // Both phases ran and printed; now what must hold.
  assert.is(rolling.restarted.length, SERVICES.length * 2, "every replica restarted");
  assert.equal(rolling.counts.search_errors, {}, "no search failed during the rolling restart");
  assert.is(rolling.counts.booking_given_up, 0, "no booking given up");
  assert.ok(rolling.counts.bookings > 0 && rolling.counts.searches > 0);
  assertSagaLedger(rolling.run, rolling.ledger, { pathsRan: false });
  assert.equal(killed.counts.search_errors, {}, "searches may degrade, not fail");
  assert.is(killed.counts.booking_given_up, 0, "no booking given up");
  assertSagaLedger(killed.run, killed.ledger, { pathsRan: false });
  // A phase makes a dozen bookings or so: that sellers refused some and customers cancelled some is checked over both.
  assertPathsRan({
    seller_refusals: rolling.ledger.seller_refusals + killed.ledger.seller_refusals,
    cancelled: rolling.ledger.cancelled + killed.ledger.cancelled,
  });
  console.log(`cluster test: ${((Date.now() - started) / 1000).toFixed(1)} s in all`);
});

test.run();
