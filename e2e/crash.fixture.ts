// The crash test's one scenario, for each bus setup (crash.test.ts: the
// PostgreSQL log; crash-nats-cluster.test.ts: NATS JetStream on a 3-node
// cluster). Bookings flow through the real processes while victims are killed
// with SIGKILL again and again: booking, sellers, mailer and payment (the
// supervisor restarts them), and whatever else the setup adds (the events
// stream's leader on the cluster). Afterwards every paid booking must be
// CONFIRMED, or FAILED with its card refunded, or — every fifth, cancelled by
// its customer while the seller books it — CANCELLED with the policy's refund
// and no live booking at the seller; no card charged twice; no seller booking
// made twice; exactly one e-mail per reservation (and the invoice before the
// cancellation of one cancelled once confirmed); every wallet reconciles with
// its statement; every room-night counts exactly its live bookings, and
// pricing holds a night STALE exactly while booking counts it sold out. The test also proves what it exercised:
// sellers refused some bookings (each one ended FAILED), and kills landed
// while bookings were in flight (each kill records how many were). Counts are
// printed; any mismatch fails the test.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import type { Marketplace } from "./marketplace.fixture.js";
import { assertSagaLedger, prepareSaga, sagaLedger, sagaProgress, submitBookings } from "./saga.fixture.js";

const CUSTOMERS = 20;
const IN_FLIGHT = 8;
const SERVICES = ["booking", "sellers", "mailer", "payment"] as const;
/** Saga events published between two kills: kills follow the run's progress, not the clock. */
const EVENTS_PER_KILL = 10;
/** Kills at least (unless the setup asks for more), the last ones after the bookings were all submitted if they went fast. */
const MIN_KILLS = 8;

/** Something the test kills: ready() is one quick look; kill() answers what happened, for the printout. */
export interface Victim {
  name: string;
  ready(m: Marketplace): Promise<boolean>;
  kill(m: Marketplace): Promise<string>;
}

export interface CrashSetup {
  /** The bus setup, as the test's name and printout say it. */
  bus: string;
  bookings: number;
  /** Kills at least; default MIN_KILLS. */
  minKills?: number;
  start(): Promise<Marketplace>;
  /** Victims beside the four services, killed in turn with them. */
  victims?: Victim[];
  /** Lines about the setup after the run, printed with the counts. */
  describe?(m: Marketplace): Promise<Record<string, string>>;
  stop?(): Promise<void>;
}

/** A service the supervisor restarts: ready when its /readyz answers 200. */
function serviceVictim(name: string): Victim {
  return {
    name,
    ready: async (m) => (await fetch(`${m.system.url(name)}/readyz`).catch(() => undefined))?.status === 200,
    kill: async (m) => {
      await m.system.kill(name, "SIGKILL");
      return name;
    },
  };
}

export function crashTest(setup: CrashSetup): void {
  let m: Marketplace;
  // The setup's own victims first: with one kill more than there are victims, they are killed twice.
  const victims = [...(setup.victims ?? []), ...SERVICES.map(serviceVictim)];
  const minKills = Math.max(setup.minKills ?? MIN_KILLS, victims.length);

  test.before(async () => {
    m = await setup.start();
  });

  test.after(async () => {
    try {
      await m?.close();
    } finally {
      await setup.stop?.();
    }
  });

  test(`${setup.bookings} bookings on ${setup.bus} while ${victims.map((v) => v.name).join(", ")} are killed`, async () => {
    const run = await prepareSaga(m, { bookings: setup.bookings, customers: CUSTOMERS });

    // The killer: one victim at a time, SIGKILL, while bookings flow and a little after. Each kill waits for facts:
    // every victim is back and ready (one down at a time), the saga published EVENTS_PER_KILL more events since the
    // last kill (or has nothing left in flight), and — while bookings flow — at least one booking is in flight (paid
    // for, or being paid, and its e-mail not sent yet), a count recorded with the kill.
    let flowing = true;
    let begun = 0; // bookings whose payment was asked for
    const kills: { victim: string; what: string; inFlight: number }[] = [];
    const killer = (async () => {
      let publishedAtLastKill = 0;
      let unanswered = "";
      for (let i = 0; flowing || i < minKills; i++) {
        const victim = victims[i % victims.length]!;
        const { published, inFlight } = await until(
          `kill ${i + 1} (${victim.name}): every victim ready, ${EVENTS_PER_KILL} more events, a booking in flight`,
          async () => {
            if (!(await Promise.all(victims.map((v) => v.ready(m)))).every(Boolean)) return undefined;
            // A stream electing its leader may answer nothing for a moment: look again.
            const progress = await sagaProgress(m).catch((e: unknown) => {
              unanswered = e instanceof Error ? e.message : String(e);
              return undefined;
            });
            if (!progress) return undefined;
            const { finished, published } = progress;
            const inFlight = begun - finished;
            const progressed = published - publishedAtLastKill >= EVENTS_PER_KILL || (!flowing && inFlight === 0);
            return progressed && (inFlight > 0 || !flowing) ? { published, inFlight } : undefined;
          },
          240_000,
        ).catch((e: unknown) => {
          throw new Error(`${e instanceof Error ? e.message : String(e)}${unanswered ? `; the run's progress last failed with: ${unanswered}` : ""}`);
        });
        kills.push({ victim: victim.name, what: await victim.kill(m), inFlight });
        publishedAtLastKill = published;
      }
    })();

    // Awaited below; when the bookings fail first, their error is the test's and the killer's must not crash the file.
    killer.catch(() => {});
    const started = Date.now();
    const paid = await submitBookings(run, { inFlight: IN_FLIGHT, onBegin: () => begun++ }).finally(() => (flowing = false));
    const submittedMs = Date.now() - started;
    await killer;

    const ledger = await sagaLedger(run, paid);
    const report = {
      bus: setup.bus,
      ...ledger,
      kills: kills.map((k) => `${k.what}(${k.inFlight} in flight)`).join(","),
      ...(await setup.describe?.(m)),
      submit_seconds: (submittedMs / 1000).toFixed(1),
      seconds: ((Date.now() - started) / 1000).toFixed(1),
    };
    console.log(`crash test: ${JSON.stringify(report)}`);

    assert.ok(kills.length >= minKills, `${kills.length} kills`);
    assert.ok(kills.some((k) => k.inFlight > 0), "no kill landed while a booking was in flight");
    assert.ok(
      victims.every((v) => kills.some((k) => k.victim === v.name)),
      "a victim was never killed",
    );
    assertSagaLedger(run, ledger);
  });

  test.run();
}
