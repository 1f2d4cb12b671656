// The card gateway over HTTP (the sandbox gateway's API, sandbox/gateway.ts):
// JSON requests signed with the shared secret (signature.ts), each bounded by
// the caller's deadline and `timeoutMs`. Failures become kit errors as
// gateway.ts promises: a refusal (409, 422) is FAILED_PRECONDITION with the
// gateway's reason; anything else that is not a success is UNAVAILABLE.
import type { Context } from "../../endpoints/context.js";
import { failedPrecondition, KitError, unavailable } from "../../endpoints/errors.js";
import type { GatewayClient, GatewayRefund, GatewaySession, GatewayStatus, OpenedSession } from "./gateway.js";
import { SIGNATURE_HEADER, signBody } from "./signature.js";

export interface HttpGatewayOptions {
  /** "http://127.0.0.1:7110" */
  baseUrl: string;
  secret: string;
  /** The longest one request may take. Default 5000 ms. */
  timeoutMs?: number;
  now?: () => Date;
}

type Json = Record<string, unknown>;

const STATUSES: readonly GatewayStatus[] = ["open", "processing", "authorised", "declined"];

export function httpGateway(opts: HttpGatewayOptions): GatewayClient {
  const now = opts.now ?? (() => new Date());
  const timeoutMs = opts.timeoutMs ?? 5000;

  async function call(ctx: Context, method: "GET" | "POST", path: string, body?: Json): Promise<{ status: number; json: Json }> {
    const text = body === undefined ? undefined : JSON.stringify(body);
    const headers: Record<string, string> = { accept: "application/json", "x-request-id": ctx.requestId };
    if (text !== undefined) headers["content-type"] = "application/json";
    // Signed both ways: the gateway checks our requests as we check its callbacks.
    headers[SIGNATURE_HEADER] = signBody(opts.secret, text ?? "", now());
    let res: Response;
    try {
      res = await fetch(new URL(path, opts.baseUrl), {
        method,
        headers,
        ...(text !== undefined ? { body: text } : {}),
        signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(timeoutMs)]),
      });
    } catch (e) {
      throw unavailable(`the payment gateway could not be reached (${e instanceof Error ? e.message : String(e)})`, e);
    }
    const raw = await res.text().catch(() => "");
    let json: Json = {};
    try {
      const parsed: unknown = raw === "" ? {} : JSON.parse(raw);
      if (parsed && typeof parsed === "object" && !Array.isArray(parsed)) json = parsed as Json;
    } catch {
      if (res.ok) throw unavailable(`the payment gateway answered ${method} ${path} with something other than JSON`);
    }
    return { status: res.status, json };
  }

  function refusal(what: string, status: number, json: Json): KitError {
    const reason = typeof json.error === "string" ? json.error : typeof json.message === "string" ? json.message : `HTTP ${status}`;
    if (status === 409 || status === 422) return failedPrecondition(`the payment gateway refused the ${what}: ${reason}`);
    return unavailable(`the payment gateway failed the ${what}: ${reason}`);
  }

  return {
    async openSession(ctx, req): Promise<OpenedSession> {
      const { status, json } = await call(ctx, "POST", "/api/sessions", {
        merchant_ref: req.merchantRef,
        amount_minor: safeNumber(req.amountMinor),
        currency: req.currency,
        description: req.description,
        callback_url: req.callbackUrl,
        return_url: req.returnUrl,
      });
      if (status !== 200 && status !== 201) throw refusal("session", status, json);
      return { sessionId: text(json, "session_id"), cardPageUrl: text(json, "card_page_url") };
    },

    async refund(ctx, req): Promise<GatewayRefund> {
      const { status, json } = await call(ctx, "POST", "/api/refunds", {
        idempotency_key: req.idempotencyKey,
        session_id: req.sessionId,
        amount_minor: safeNumber(req.amountMinor),
      });
      if (status !== 200 && status !== 201) throw refusal("refund", status, json);
      return { refundId: text(json, "refund_id"), refundedMinor: minor(json, "refunded_minor") };
    },

    async session(ctx, sessionId): Promise<GatewaySession | undefined> {
      const { status, json } = await call(ctx, "GET", `/api/sessions/${encodeURIComponent(sessionId)}`);
      if (status === 404) return undefined;
      if (status !== 200) throw refusal("session lookup", status, json);
      const state = text(json, "status");
      if (!(STATUSES as readonly string[]).includes(state)) throw unavailable(`the payment gateway reported an unknown status "${state}"`);
      return {
        sessionId: text(json, "session_id"),
        merchantRef: text(json, "merchant_ref"),
        status: state as GatewayStatus,
        amountMinor: minor(json, "amount_minor"),
        currency: text(json, "currency"),
        refundedMinor: typeof json.refunded_minor === "number" ? minor(json, "refunded_minor") : 0n,
        reason: typeof json.reason === "string" ? json.reason : "",
      };
    },
  };
}

/** JSON numbers are doubles: amounts beyond 2^53 cannot travel (the validators refuse them first). */
function safeNumber(v: bigint): number {
  const n = Number(v);
  if (!Number.isSafeInteger(n)) throw failedPrecondition(`the amount ${v} is too large for the payment gateway`);
  return n;
}

function text(json: Json, field: string): string {
  const v = json[field];
  if (typeof v !== "string" || v === "") throw unavailable(`the payment gateway's answer has no ${field}`);
  return v;
}

function minor(json: Json, field: string): bigint {
  const v = json[field];
  if (typeof v !== "number" || !Number.isSafeInteger(v)) throw unavailable(`the payment gateway's answer has no whole ${field}`);
  return BigInt(v);
}
