// What payment needs from the card gateway, with no HTTP in it: the service
// and the callbacks depend on this interface; gateway-client.ts implements it
// over the sandbox gateway's HTTP API, tests with an in-memory fake.
import type { Context } from "../../endpoints/context.js";

/** A session as the gateway reports it. */
export type GatewayStatus = "open" | "processing" | "authorised" | "declined";

export interface SessionRequest {
  /** Our payment id: the gateway answers the same session for the same merchant_ref. */
  merchantRef: string;
  amountMinor: bigint;
  currency: string;
  /** Shown on the card page. */
  description: string;
  /** Where the gateway POSTs its decision. */
  callbackUrl: string;
  /** Where the gateway sends the browser back. */
  returnUrl: string;
}

export interface OpenedSession {
  sessionId: string;
  /** The card page: where the customer pays. */
  cardPageUrl: string;
}

export interface RefundRequest {
  /** The same key refunds once at the gateway too. */
  idempotencyKey: string;
  sessionId: string;
  amountMinor: bigint;
}

export interface GatewayRefund {
  refundId: string;
  /** Everything refunded on the session so far, this refund included. */
  refundedMinor: bigint;
}

export interface GatewaySession {
  sessionId: string;
  merchantRef: string;
  status: GatewayStatus;
  amountMinor: bigint;
  currency: string;
  refundedMinor: bigint;
  /** Why it was declined, when the gateway says. */
  reason: string;
}

/**
 * The card gateway. Every method rejects with a KitError: UNAVAILABLE when
 * the gateway cannot be reached or fails (a retry may succeed), and
 * FAILED_PRECONDITION when it refuses (a refund of money not taken or not left).
 */
export interface GatewayClient {
  /** Opens the card session of a payment (idempotent by merchant_ref). */
  openSession(ctx: Context, req: SessionRequest): Promise<OpenedSession>;
  /** Gives money back (idempotent by idempotency_key). */
  refund(ctx: Context, req: RefundRequest): Promise<GatewayRefund>;
  /** A session's state; undefined when the gateway does not know it. */
  session(ctx: Context, sessionId: string): Promise<GatewaySession | undefined>;
}
