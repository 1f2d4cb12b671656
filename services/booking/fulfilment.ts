// The fulfilment sweep: a CONFIRMED reservation whose stay or flight has
// ended (ends.ts) becomes FULFILLED, and ReservationFulfilled is published
// in the same transaction. It runs on one replica at a time (`exclusive`:
// platform/job-lock.ts in main.ts), and the change itself is a conditional
// update that skips rows another transaction holds (store.ts fulfilEnded),
// so a reservation is fulfilled — and announced — once, whoever sweeps.
import type { Context } from "../../endpoints/context.js";
import type { Exclusive } from "../../platform/job-lock.js";
import { publishReservationEvent, type Publisher } from "./events.js";
import { reservationMessage } from "./messages.js";
import type { BookingStore } from "./store.js";

export const FULFILMENT_JOB = "booking.fulfilment";

export interface FulfilmentOptions {
  store: BookingStore;
  bus: Publisher;
  exclusive: Exclusive;
  /** Reservations fulfilled per transaction; default 100. */
  batch?: number;
  /** The clock; tests move it past a stay. */
  now?: () => Date;
}

export class FulfilmentSweep {
  private readonly now: () => Date;

  constructor(private readonly opts: FulfilmentOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /**
   * One sweep, if this replica holds the job's lock: the ids it fulfilled,
   * or undefined when another replica is sweeping.
   */
  async sweep(ctx: Context): Promise<string[] | undefined> {
    const run = await this.opts.exclusive(FULFILMENT_JOB, async () => {
      const done: string[] = [];
      for (;;) {
        if (ctx.signal.aborted) break;
        const batch = await this.fulfilBatch(ctx);
        done.push(...batch);
        if (batch.length < (this.opts.batch ?? 100)) break;
      }
      return done;
    });
    if (!run.ran) return undefined;
    if (run.value.length > 0) ctx.log.info({ fulfilled: run.value.length }, "ended reservations fulfilled");
    return run.value;
  }

  private fulfilBatch(ctx: Context): Promise<string[]> {
    const now = this.now();
    return this.opts.store.transaction(async (tx) => {
      const rows = await tx.fulfilEnded(now, this.opts.batch ?? 100, now);
      for (const row of rows) await publishReservationEvent(this.opts.bus, tx.outbox, ctx, "fulfilled", reservationMessage(row));
      return rows.map((r) => r.reservationId);
    });
  }
}
