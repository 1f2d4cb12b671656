// The gateway's decisions, with no HTTP in it: callback-route.ts hands over
// the raw body and the signature header; this checks the signature (before
// reading a byte of the body), parses the decision and applies it in ONE
// transaction — the payment PENDING → AUTHORISED or DECLINED, the gateway's
// event id recorded, and PaymentEvent published on its topic — so a
// crash leaves either all of it or none. The gateway delivers at least once
// (and sends duplicates on purpose): a repeated event, or another event for
// a decision already applied, changes nothing.
//
// A decision for an EXPIRED payment is applied too: the gateway is the truth
// about money, and a customer who paid gets the reservation (DOMAIN.md,
// requirement 5). The expiry sweep (expiry.ts) applies decisions it finds
// at the gateway through `apply`, as a missed callback would have.
import { derive, parseTraceparent, type Context } from "../../endpoints/context.js";
import { failedPrecondition, invalidArgument, notFound, unauthenticated, type FieldViolation } from "../../endpoints/errors.js";
import { decisionEvent, type PublishPaymentEvent } from "./events.js";
import { paymentMessage } from "./messages.js";
import { verifySignature, DEFAULT_TOLERANCE_SECONDS } from "./signature.js";
import type { PaymentStore } from "./store.js";
import { PAYMENT_ID } from "./validators.js";

/** What the gateway decided about one session. */
export interface GatewayDecision {
  /** Unique per decision at the gateway; what deduplicates deliveries. */
  eventId: string;
  sessionId: string;
  /** Our payment id (the session's merchant_ref). */
  paymentId: string;
  status: "authorised" | "declined";
  amountMinor: bigint;
  currency: string;
  /** Why it was declined, in plain words. */
  reason: string;
}

export interface CallbackRequest {
  /** The raw body, exactly as received: the signature covers these bytes. */
  body: Uint8Array;
  /** The x-gateway-signature header; undefined when absent. */
  signature: string | undefined;
}

export interface CallbackOutcome {
  paymentId: string;
  status: "authorised" | "declined";
  /** True when this decision had been applied already: nothing changed. */
  duplicate: boolean;
}

export interface PaymentCallbacksDeps {
  store: PaymentStore;
  /** The secret shared with the gateway (GATEWAY_SECRET). */
  secret: string;
  publish: PublishPaymentEvent;
  now?: () => Date;
  /** How far a signature's timestamp may be from our clock. Default 300 s. */
  toleranceSeconds?: number;
}

export class PaymentCallbacks {
  private readonly now: () => Date;

  constructor(private readonly deps: PaymentCallbacksDeps) {
    this.now = deps.now ?? (() => new Date());
  }

  /** A callback as delivered: signature first, then the decision. */
  async receive(ctx: Context, req: CallbackRequest): Promise<CallbackOutcome> {
    const check = verifySignature(this.deps.secret, req.signature, req.body, this.now(), this.deps.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS);
    if (!check.ok) {
      ctx.log.warn({ reason: check.reason }, "gateway callback refused: bad signature");
      throw unauthenticated(`the callback is not signed by the gateway: ${check.reason}`);
    }
    return this.apply(ctx, parseDecision(req.body));
  }

  /** Applies a decision once, in one transaction with its event. */
  async apply(ctx: Context, d: GatewayDecision): Promise<CallbackOutcome> {
    const outcome = { paymentId: d.paymentId, status: d.status };
    const log = ctx.log.child({ payment_id: d.paymentId, event_id: d.eventId, status: d.status });
    return this.deps.store.transaction(async (tx) => {
      // Locked first: concurrent deliveries of one payment's decisions take turns.
      const p = PAYMENT_ID.test(d.paymentId) ? await tx.lockPayment(d.paymentId) : undefined;
      if (!p) {
        log.warn("gateway callback for an unknown payment");
        throw notFound(`payment ${d.paymentId} does not exist`);
      }
      if (p.amountMinor !== d.amountMinor || p.currency !== d.currency) {
        log.error({ expected_minor: p.amountMinor.toString(), got_minor: d.amountMinor.toString(), currency: d.currency }, "gateway callback amount does not match the payment");
        throw failedPrecondition(`the callback's amount does not match payment ${p.paymentId}`);
      }
      if (p.sessionId !== null && p.sessionId !== d.sessionId) {
        log.error({ session_id: d.sessionId }, "gateway callback for another session of the payment");
        throw failedPrecondition(`the callback's session is not payment ${p.paymentId}'s`);
      }
      if (!(await tx.recordGatewayEvent(d.eventId, p.paymentId, d.status))) {
        log.info("gateway callback already applied");
        return { ...outcome, duplicate: true };
      }
      if (p.state === d.status) {
        log.info("gateway decision already applied by another event");
        return { ...outcome, duplicate: true };
      }
      if (p.state !== "pending" && p.state !== "expired") {
        log.error({ state: p.state }, "gateway decision contradicts the payment's");
        throw failedPrecondition(`payment ${p.paymentId} is already ${p.state}`);
      }
      if (p.state === "expired") log.warn("a decision for an expired payment: the gateway's word wins");
      const after = await tx.setState(
        p.paymentId,
        {
          state: d.status,
          declineReason: d.status === "declined" ? d.reason || "The card was declined." : "",
          ...(p.sessionId === null ? { sessionId: d.sessionId } : {}),
        },
        this.now(),
      );
      // The decision continues the trace the payment was made in (the gateway's callback carries none).
      const made = parseTraceparent(p.traceparent);
      await this.deps.publish(tx.outbox, decisionEvent(d.status, paymentMessage(after)), made ? derive(ctx, { trace: made }) : ctx);
      log.info("payment decided");
      return { ...outcome, duplicate: false };
    });
  }
}

/** The callback's JSON as a decision; InvalidArgument naming every bad field. */
export function parseDecision(body: Uint8Array): GatewayDecision {
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(body).toString("utf8"));
  } catch {
    throw invalidArgument("the callback body is not JSON", [{ field: "body", rule: "json", description: "must be a JSON object" }]);
  }
  if (!json || typeof json !== "object" || Array.isArray(json)) {
    throw invalidArgument("the callback body is not a JSON object", [{ field: "body", rule: "json", description: "must be a JSON object" }]);
  }
  const o = json as Record<string, unknown>;
  const violations: FieldViolation[] = [];
  const text = (field: string, max = 200): string => {
    const v = o[field];
    if (typeof v === "string" && v !== "" && v.length <= max) return v;
    violations.push({ field, rule: "required", description: `must be a string of 1 to ${max} characters` });
    return "";
  };
  const eventId = text("event_id");
  const sessionId = text("session_id");
  const paymentId = text("merchant_ref");
  const currency = text("currency", 3);
  const status = o.status;
  if (status !== "authorised" && status !== "declined") {
    violations.push({ field: "status", rule: "enum", description: 'must be "authorised" or "declined"' });
  }
  const amount = o.amount_minor;
  if (typeof amount !== "number" || !Number.isSafeInteger(amount) || amount <= 0) {
    violations.push({ field: "amount_minor", rule: "gt_zero", description: "must be a whole number greater than 0" });
  }
  const reason = typeof o.reason === "string" ? o.reason.slice(0, 500) : "";
  if (violations.length > 0) {
    throw invalidArgument(violations.map((v) => `${v.field}: ${v.description}`).join("; "), violations);
  }
  return {
    eventId,
    sessionId,
    paymentId,
    status: status as GatewayDecision["status"],
    amountMinor: BigInt(amount as number),
    currency,
    reason,
  };
}
