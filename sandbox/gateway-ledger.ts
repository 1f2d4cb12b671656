// The sandbox gateway's books, without HTTP: sessions (one per merchant_ref),
// what a card number decides, charges (at most one per session, however often
// the form is submitted) and refunds (once per idempotency key, never more
// than was charged). Card numbers are looked at and forgotten, never kept.
import { randomBytes } from "node:crypto";
import { HttpError } from "./http.js";

export type SessionStatus = "open" | "processing" | "authorised" | "declined";
export type Outcome = "authorised" | "declined" | "processing";

/** The numbers this sandbox knows; shown on its card page. */
export const TEST_CARDS: readonly { number: string; outcome: Outcome; what: string }[] = [
  { number: "4242 4242 4242 4242", outcome: "authorised", what: "authorised" },
  { number: "4000 0000 0000 0002", outcome: "declined", what: "declined by the issuer" },
  { number: "4000 0000 0000 0119", outcome: "processing", what: "the gateway never answers" },
];

export const DECLINE_REASON = "The card was declined by its issuer.";

export interface SessionRequest {
  merchantRef: string;
  amountMinor: number;
  currency: string;
  description: string;
  callbackUrl: string;
  returnUrl: string;
}

export interface Session extends SessionRequest {
  id: string;
  status: SessionStatus;
  /** Why it was declined; "" otherwise. */
  reason: string;
  /** Set when decided: the one event the callback carries (retries and duplicates reuse it). */
  eventId?: string;
  charges: number;
  refundedMinor: number;
  refunds: number;
}

export interface RefundAnswer {
  refund_id: string;
  status: "refunded";
  refunded_minor: number;
}

/** What submitting a card did. */
export type PayResult =
  | { kind: "invalid"; error: string }
  | { kind: "processing" }
  /** `fresh`: decided by this submission (send the callback); otherwise decided before. */
  | { kind: "decided"; fresh: boolean };

const COUNTERS = ["sessions", "charges", "declines", "refunds", "callbacks_sent", "callback_failures"] as const;
export type Counter = (typeof COUNTERS)[number];

export function newId(prefix: string): string {
  return `${prefix}_${randomBytes(12).toString("base64url")}`;
}

/** True when the digits pass the Luhn check. */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/** What a submitted card number leads to, or the error to show next to the field. */
export function cardOutcome(raw: string): { outcome: Outcome } | { error: string } {
  const digits = raw.replace(/[\s-]/g, "");
  if (digits === "") return { error: "Enter the card number." };
  if (!/^\d{16}$/.test(digits)) return { error: "The card number must be 16 digits." };
  if (!luhn(digits)) return { error: "That card number is not valid: check the digits." };
  const card = TEST_CARDS.find((c) => c.number.replace(/ /g, "") === digits);
  if (!card) return { error: "This sandbox only knows the test cards listed on this page." };
  return { outcome: card.outcome };
}

export class GatewayLedger {
  private readonly sessions = new Map<string, Session>();
  private readonly byRef = new Map<string, Session>();
  private readonly refundsByKey = new Map<string, RefundAnswer>();
  private readonly counters = new Map<Counter, number>(COUNTERS.map((c) => [c, 0]));

  count(name: Counter): void {
    this.counters.set(name, this.counters.get(name)! + 1);
  }

  stats(): Record<Counter, number> {
    return Object.fromEntries(this.counters) as Record<Counter, number>;
  }

  get(id: string): Session | undefined {
    return this.sessions.get(id);
  }

  /** The session of this merchant_ref: a new one, or the same again (409 when the amount differs). */
  open(req: SessionRequest): { session: Session; created: boolean } {
    const existing = this.byRef.get(req.merchantRef);
    if (existing) {
      if (existing.amountMinor !== req.amountMinor || existing.currency !== req.currency) {
        throw new HttpError(
          409,
          `merchant_ref ${req.merchantRef} already has a session for ${existing.currency} ${existing.amountMinor} (minor units)`,
        );
      }
      return { session: existing, created: false };
    }
    const session: Session = { ...req, id: newId("gs"), status: "open", reason: "", charges: 0, refundedMinor: 0, refunds: 0 };
    this.sessions.set(session.id, session);
    this.byRef.set(req.merchantRef, session);
    this.count("sessions");
    return { session, created: true };
  }

  /** A card submitted on the session's page. A decided session is never charged again. */
  pay(session: Session, cardNumber: string): PayResult {
    if (session.status === "authorised" || session.status === "declined") return { kind: "decided", fresh: false };
    if (session.status === "processing") return { kind: "processing" };
    const decision = cardOutcome(cardNumber);
    if ("error" in decision) return { kind: "invalid", error: decision.error };
    if (decision.outcome === "processing") {
      session.status = "processing";
      return { kind: "processing" };
    }
    session.status = decision.outcome;
    session.eventId = newId("ge");
    if (decision.outcome === "authorised") {
      session.charges++;
      this.count("charges");
    } else {
      session.reason = DECLINE_REASON;
      this.count("declines");
    }
    return { kind: "decided", fresh: true };
  }

  /** Refunds part or all of a charged session, once per idempotency key. */
  refund(key: string, sessionId: string, amountMinor: number): RefundAnswer {
    const done = this.refundsByKey.get(key);
    if (done) return done;
    const session = this.sessions.get(sessionId);
    if (!session) throw new HttpError(404, `no session ${sessionId}`);
    if (session.charges === 0) throw new HttpError(409, `session ${sessionId} is ${session.status}: nothing was charged`);
    const left = session.amountMinor - session.refundedMinor;
    if (amountMinor > left) {
      throw new HttpError(422, `amount_minor ${amountMinor} is more than the ${left} left to refund on session ${sessionId}`);
    }
    session.refundedMinor += amountMinor;
    session.refunds++;
    this.count("refunds");
    const answer: RefundAnswer = { refund_id: newId("gr"), status: "refunded", refunded_minor: session.refundedMinor };
    this.refundsByKey.set(key, answer);
    return answer;
  }

  ledger() {
    return [...this.sessions.values()].map((s) => ({
      session_id: s.id,
      merchant_ref: s.merchantRef,
      status: s.status,
      charges: s.charges,
      refunded_minor: s.refundedMinor,
      refunds: s.refunds,
    }));
  }

  reset(): void {
    this.sessions.clear();
    this.byRef.clear();
    this.refundsByKey.clear();
    for (const c of COUNTERS) this.counters.set(c, 0);
  }
}

/** The callback body of a decided session. */
export function callbackEvent(s: Session) {
  return {
    event_id: s.eventId,
    session_id: s.id,
    merchant_ref: s.merchantRef,
    status: s.status,
    amount_minor: s.amountMinor,
    currency: s.currency,
    reason: s.reason,
  };
}

/** GET /api/sessions/<id>. */
export function sessionView(s: Session) {
  return {
    session_id: s.id,
    merchant_ref: s.merchantRef,
    status: s.status,
    amount_minor: s.amountMinor,
    currency: s.currency,
    refunded_minor: s.refundedMinor,
  };
}
