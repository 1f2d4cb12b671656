// Payments that never hear from the gateway: a PENDING payment older than
// PAYMENT_EXPIRE_MS (15 min by default) is swept. The gateway is asked first
// — if it decided and its callback was lost, the decision is applied as the
// callback would have (callbacks.ts `apply`, same transaction and event);
// if it is still open or processing, or never opened a session, the payment
// becomes EXPIRED. When the gateway cannot be asked, nothing is expired: a
// payment whose money may have been taken is never given up on a guess.
// Every replica sweeps every PAYMENT_SWEEP_MS (main.ts: endpoints/periodic.ts);
// each sweep runs under the job lock "payment.expiry" (platform/job-lock.ts),
// so one replica sweeps at a time and the others skip that round (logged at
// debug).
import type { Context } from "../../endpoints/context.js";
import type { Exclusive } from "../../platform/job-lock.js";
import type { PaymentCallbacks } from "./callbacks.js";
import type { GatewayClient } from "./gateway.js";
import type { PaymentRow, PaymentStore } from "./store.js";

export interface PaymentExpiryOptions {
  store: PaymentStore;
  gateway: GatewayClient;
  callbacks: PaymentCallbacks;
  /** A PENDING payment older than this is swept. */
  expireMs: number;
  /** Runs a sweep only on the replica holding its lock (main.ts: advisoryExclusive on payment's database). */
  exclusive: Exclusive;
  /** Payments looked at per sweep; default 100. */
  batch?: number;
  now?: () => Date;
}

export interface SweepResult {
  expired: string[];
  decided: string[];
  /** Left PENDING for the next sweep: the gateway could not be asked. */
  skipped: string[];
}

/** The sweep's job lock: one replica of payment sweeps at a time. */
export const EXPIRY_JOB = "payment.expiry";

export class PaymentExpiry {
  private readonly now: () => Date;

  constructor(private readonly opts: PaymentExpiryOptions) {
    this.now = opts.now ?? (() => new Date());
  }

  /** One sweep unless another replica is sweeping now: then nothing (undefined), and the next round tries again. */
  async sweepExclusively(ctx: Context): Promise<SweepResult | undefined> {
    const run = await this.opts.exclusive(EXPIRY_JOB, () => this.sweep(ctx));
    if (run.ran) return run.value;
    ctx.log.debug({ job: EXPIRY_JOB }, "payment expiry sweep skipped: another replica is sweeping");
    return undefined;
  }

  /** One sweep over the stale PENDING payments. */
  async sweep(ctx: Context): Promise<SweepResult> {
    const result: SweepResult = { expired: [], decided: [], skipped: [] };
    const before = new Date(this.now().getTime() - this.opts.expireMs);
    for (const p of await this.opts.store.stalePending(before, this.opts.batch ?? 100)) {
      if (ctx.signal.aborted) break;
      result[await this.settle(ctx, p)].push(p.paymentId);
    }
    if (result.expired.length + result.decided.length > 0) {
      ctx.log.info({ expired: result.expired.length, decided: result.decided.length }, "stale payments swept");
    }
    return result;
  }

  private async settle(ctx: Context, p: PaymentRow): Promise<keyof SweepResult> {
    const log = ctx.log.child({ payment_id: p.paymentId });
    if (p.sessionId) {
      let session;
      try {
        session = await this.opts.gateway.session(ctx, p.sessionId);
      } catch (e) {
        log.warn({ err: e instanceof Error ? e.message : String(e) }, "gateway not asked about a stale payment; kept pending");
        return "skipped";
      }
      if (session && (session.status === "authorised" || session.status === "declined")) {
        // The callback never arrived: the same decision, recorded under an id of its own.
        try {
          await this.opts.callbacks.apply(ctx, {
            eventId: `sweep:${session.sessionId}:${session.status}`,
            sessionId: session.sessionId,
            paymentId: p.paymentId,
            status: session.status,
            amountMinor: session.amountMinor,
            currency: session.currency,
            reason: session.reason,
          });
        } catch (e) {
          // apply logged why (an amount that does not match): left for a person, not expired.
          log.error({ err: e instanceof Error ? e.message : String(e) }, "the gateway's decision could not be applied");
          return "skipped";
        }
        log.warn({ status: session.status }, "a missed gateway decision applied by the sweep");
        return "decided";
      }
    }
    const expired = await this.opts.store.transaction(async (tx) => {
      const locked = await tx.lockPayment(p.paymentId);
      if (locked?.state !== "pending") return false; // a callback came in meanwhile
      await tx.setState(p.paymentId, { state: "expired" }, this.now());
      return true;
    });
    if (expired) log.info("payment expired");
    return expired ? "expired" : "skipped";
  }
}
