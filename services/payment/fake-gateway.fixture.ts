// Test fixture: an in-memory card gateway behind the GatewayClient interface,
// with the sandbox gateway's rules (a session per merchant_ref, refunds once
// per key and never more than was taken), a switch that makes it fail like
// an unreachable gateway, and the signed callback bodies it would send.
import type { Context } from "../../endpoints/context.js";
import { failedPrecondition, unavailable } from "../../endpoints/errors.js";
import type { GatewayClient, GatewayRefund, GatewaySession, GatewayStatus, OpenedSession, RefundRequest, SessionRequest } from "./gateway.js";
import { signBody } from "./signature.js";

export interface FakeSession extends GatewaySession {
  callbackUrl: string;
  returnUrl: string;
  description: string;
}

export class FakeGateway implements GatewayClient {
  readonly sessions = new Map<string, FakeSession>();
  readonly refunds = new Map<string, GatewayRefund & { sessionId: string; amountMinor: bigint }>();
  readonly calls = { openSession: 0, refund: 0, session: 0 };
  /** While true, every call fails as an unreachable gateway does. */
  down = false;
  private events = 0;

  async openSession(_ctx: Context, req: SessionRequest): Promise<OpenedSession> {
    this.calls.openSession++;
    if (this.down) throw unavailable("the fake gateway is down");
    const existing = [...this.sessions.values()].find((s) => s.merchantRef === req.merchantRef);
    if (existing) {
      if (existing.amountMinor !== req.amountMinor) throw failedPrecondition("another amount for the same merchant_ref");
      return { sessionId: existing.sessionId, cardPageUrl: pageOf(existing.sessionId) };
    }
    const sessionId = `gs_fake${this.sessions.size + 1}`;
    this.sessions.set(sessionId, {
      sessionId,
      merchantRef: req.merchantRef,
      status: "open",
      amountMinor: req.amountMinor,
      currency: req.currency,
      refundedMinor: 0n,
      reason: "",
      callbackUrl: req.callbackUrl,
      returnUrl: req.returnUrl,
      description: req.description,
    });
    return { sessionId, cardPageUrl: pageOf(sessionId) };
  }

  async refund(_ctx: Context, req: RefundRequest): Promise<GatewayRefund> {
    this.calls.refund++;
    if (this.down) throw unavailable("the fake gateway is down");
    const earlier = this.refunds.get(req.idempotencyKey);
    if (earlier) return { refundId: earlier.refundId, refundedMinor: earlier.refundedMinor };
    const s = this.sessions.get(req.sessionId);
    if (!s || s.status !== "authorised") throw failedPrecondition("the session was not charged");
    if (s.refundedMinor + req.amountMinor > s.amountMinor) throw failedPrecondition("more than what is left");
    s.refundedMinor += req.amountMinor;
    const refund = { refundId: `gr_fake${this.refunds.size + 1}`, refundedMinor: s.refundedMinor };
    this.refunds.set(req.idempotencyKey, { ...refund, sessionId: s.sessionId, amountMinor: req.amountMinor });
    return refund;
  }

  async session(_ctx: Context, sessionId: string): Promise<GatewaySession | undefined> {
    this.calls.session++;
    if (this.down) throw unavailable("the fake gateway is down");
    const s = this.sessions.get(sessionId);
    return s ? { ...s } : undefined;
  }

  /** The session of a payment (by merchant_ref). */
  sessionOf(paymentId: string): FakeSession {
    const s = [...this.sessions.values()].find((x) => x.merchantRef === paymentId);
    if (!s) throw new Error(`the fake gateway has no session for ${paymentId}`);
    return s;
  }

  /** The customer paid (or the card was refused): the session is decided. Returns the callback's JSON body. */
  decide(paymentId: string, status: Exclude<GatewayStatus, "open">, reason = ""): string {
    const s = this.sessionOf(paymentId);
    s.status = status;
    s.reason = status === "declined" ? reason || "The card was declined by its issuer." : "";
    return this.callbackBody(paymentId);
  }

  /** A callback body for the payment's session as it stands, with a fresh event id unless one is given. */
  callbackBody(paymentId: string, overrides: Record<string, unknown> = {}): string {
    const s = this.sessionOf(paymentId);
    return JSON.stringify({
      event_id: `ge_fake${++this.events}`,
      session_id: s.sessionId,
      merchant_ref: s.merchantRef,
      status: s.status,
      amount_minor: Number(s.amountMinor),
      currency: s.currency,
      reason: s.reason,
      ...overrides,
    });
  }
}

/** A callback as the gateway would deliver it: body bytes and a signature header. */
export function signedCallback(secret: string, body: string, time = new Date()): { body: Uint8Array; signature: string } {
  return { body: new TextEncoder().encode(body), signature: signBody(secret, body, time) };
}

function pageOf(sessionId: string): string {
  return `http://gateway.test/pay/${sessionId}`;
}
