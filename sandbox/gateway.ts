// Sandbox Pay: the stand-in card payment gateway on port 7110.
//   POST /api/sessions        (signed) open a payment session, idempotent by merchant_ref
//   GET  /api/sessions/<id>   a session's state
//   POST /api/refunds         (signed) refund part or all of a charged session, idempotent by key
//   GET  /pay/<id>            the card page; POST /pay/<id> decides by card number, calls
//                             back (signed, at least once) and answers 303 to return_url
//   GET  /admin/stats, GET /admin/ledger, POST /admin/reset, POST|GET /admin/mode {"callbacks": …}
// Signatures: signature.ts. State lives in memory: a restart forgets every session.
import type { IncomingMessage, ServerResponse } from "node:http";
import { pino, type Logger } from "pino";
import { HttpError, jsonObject, jsonReply, listen, readBody, send, type Reply, type RunningServer } from "./http.js";
import { callbackEvent, GatewayLedger, sessionView, type Session, type SessionRequest } from "./gateway-ledger.js";
import { CALLBACK_DEFAULTS, CALLBACK_MODES, CallbackSender, type CallbackMode, type CallbackOptions } from "./gateway-callbacks.js";
import { cardPage, decidedPage, notFoundPage, processingPage } from "./gateway-page.js";
import { SIGNATURE_HEADER, signatureProblem } from "./signature.js";

export const GATEWAY_PORT = 7110;
export const DEFAULT_GATEWAY_SECRET = "itinera-development-gateway-secret";

export interface GatewayOptions {
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default DEFAULT_GATEWAY_SECRET. */
  secret?: string;
  /** Where browsers reach the card pages; default the listening URL. */
  publicUrl?: string;
  callbacks?: Partial<CallbackOptions>;
  /** Default: silent. */
  log?: Logger;
}

export interface RunningGateway extends RunningServer {
  ledger: GatewayLedger;
  callbacks: CallbackSender;
}

const htmlReply = (body: string, status = 200): Reply => ({
  status,
  contentType: "text/html; charset=utf-8",
  body,
  // The page needs nothing but its own inline style; it must not be framed (click-jacking a card form).
  headers: { "content-security-policy": "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'" },
});

const redirect = (location: string): Reply => ({ status: 303, contentType: "text/plain", body: "", headers: { location } });

function text(o: Record<string, unknown>, name: string, max: number, required = true): string {
  const v = o[name];
  if (v === undefined && !required) return "";
  if (typeof v !== "string" || (required && v.trim() === "")) throw new HttpError(400, `"${name}" must be a non-empty string`);
  if (v.length > max) throw new HttpError(400, `"${name}" must be at most ${max} characters`);
  return v;
}

function positiveInteger(o: Record<string, unknown>, name: string): number {
  const v = o[name];
  if (typeof v !== "number" || !Number.isSafeInteger(v) || v <= 0) throw new HttpError(400, `"${name}" must be a positive integer (minor units)`);
  return v;
}

function httpUrl(o: Record<string, unknown>, name: string): string {
  const v = text(o, name, 2_000);
  let url: URL;
  try {
    url = new URL(v);
  } catch {
    throw new HttpError(400, `"${name}" must be an absolute http(s) URL`);
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") throw new HttpError(400, `"${name}" must be an absolute http(s) URL`);
  return v;
}

function sessionRequest(o: Record<string, unknown>): SessionRequest {
  const currency = text(o, "currency", 3);
  if (!/^[A-Z]{3}$/.test(currency)) throw new HttpError(400, `"currency" must be an ISO 4217 code such as "EUR"`);
  return {
    merchantRef: text(o, "merchant_ref", 200),
    amountMinor: positiveInteger(o, "amount_minor"),
    currency,
    description: text(o, "description", 500, false),
    callbackUrl: httpUrl(o, "callback_url"),
    returnUrl: httpUrl(o, "return_url"),
  };
}

/** return_url with ?payment_id=<merchant_ref>&status=<status> appended. */
export function returnUrlOf(s: Session): string {
  const url = new URL(s.returnUrl);
  url.searchParams.set("payment_id", s.merchantRef);
  url.searchParams.set("status", s.status);
  return url.toString();
}

export async function startGateway(opts: GatewayOptions = {}): Promise<RunningGateway> {
  const log = opts.log ?? pino({ level: "silent" });
  const secret = opts.secret ?? DEFAULT_GATEWAY_SECRET;
  const ledger = new GatewayLedger();
  const callbacks = new CallbackSender(
    secret,
    { ...CALLBACK_DEFAULTS, ...opts.callbacks },
    { sent: () => ledger.count("callbacks_sent"), failed: () => ledger.count("callback_failures") },
    log,
  );
  let publicUrl = (opts.publicUrl ?? "").replace(/\/+$/, "");

  /** The raw body of a signed call, or 401. */
  const signedBody = async (req: IncomingMessage): Promise<string> => {
    const body = await readBody(req);
    const problem = signatureProblem(secret, req.headers[SIGNATURE_HEADER], body);
    if (problem) throw new HttpError(401, problem);
    return body;
  };

  const sessionOr404 = (id: string): Session => {
    const s = ledger.get(id);
    if (!s) throw new HttpError(404, `no session ${id}`);
    return s;
  };

  const createSession = async (req: IncomingMessage): Promise<Reply> => {
    const { session, created } = ledger.open(sessionRequest(jsonObject(await signedBody(req))));
    if (created) log.info({ session_id: session.id, merchant_ref: session.merchantRef }, "gateway session opened");
    const cardPageUrl = `${publicUrl}/pay/${session.id}`;
    return jsonReply({ session_id: session.id, card_page_url: cardPageUrl, status: session.status }, created ? 201 : 200);
  };

  const refund = async (req: IncomingMessage): Promise<Reply> => {
    const o = jsonObject(await signedBody(req));
    const answer = ledger.refund(text(o, "idempotency_key", 200), text(o, "session_id", 100), positiveInteger(o, "amount_minor"));
    return jsonReply(answer);
  };

  const pay = async (req: IncomingMessage, s: Session): Promise<Reply> => {
    const form = new URLSearchParams(await readBody(req, 16_384));
    const result = ledger.pay(s, form.get("card_number") ?? "");
    switch (result.kind) {
      case "invalid":
        return htmlReply(cardPage(s, result.error), 400);
      case "processing":
        return htmlReply(processingPage(s));
      case "decided":
        if (result.fresh) {
          log.info({ session_id: s.id, merchant_ref: s.merchantRef, status: s.status }, "gateway session decided");
          await callbacks.deliver(s.callbackUrl, JSON.stringify(callbackEvent(s)), { session_id: s.id, event_id: s.eventId });
        }
        return redirect(returnUrlOf(s));
    }
  };

  const setMode = async (req: IncomingMessage): Promise<Reply> => {
    const o = jsonObject(await readBody(req));
    if (!CALLBACK_MODES.includes(o.callbacks as CallbackMode)) {
      throw new HttpError(400, `"callbacks" must be one of ${CALLBACK_MODES.join(", ")}`);
    }
    callbacks.mode = o.callbacks as CallbackMode;
    return jsonReply({ callbacks: callbacks.mode });
  };

  const route = async (req: IncomingMessage, path: string): Promise<Reply> => {
    const method = req.method ?? "GET";
    const at = `${method} ${path}`;
    if (at === "GET /healthz" || at === "GET /readyz") return jsonReply({ status: "ok" });
    if (at === "POST /api/sessions") return createSession(req);
    if (at === "POST /api/refunds") return refund(req);
    if (at === "GET /admin/stats") return jsonReply(ledger.stats());
    if (at === "GET /admin/ledger") return jsonReply(ledger.ledger());
    if (at === "GET /admin/mode") return jsonReply({ callbacks: callbacks.mode });
    if (at === "POST /admin/mode") return setMode(req);
    if (at === "POST /admin/reset") {
      ledger.reset();
      callbacks.reset();
      return jsonReply({ callbacks: callbacks.mode, stats: ledger.stats() });
    }
    const api = /^\/api\/sessions\/([^/]+)$/.exec(path);
    if (api && method === "GET") return jsonReply(sessionView(sessionOr404(decodeURIComponent(api[1]!))));
    const page = /^\/pay\/([^/]+)$/.exec(path);
    if (page && (method === "GET" || method === "POST")) {
      const s = ledger.get(decodeURIComponent(page[1]!));
      if (!s) return htmlReply(notFoundPage(), 404);
      if (method === "POST") return pay(req, s);
      if (s.status === "authorised" || s.status === "declined") return htmlReply(decidedPage(s, returnUrlOf(s)));
      return htmlReply(s.status === "processing" ? processingPage(s) : cardPage(s));
    }
    throw new HttpError(404, `no route ${method} ${path}`);
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const path = new URL(req.url ?? "/", "http://gateway").pathname;
    try {
      send(res, await route(req, path));
    } catch (e) {
      if (!(e instanceof HttpError)) log.error({ err: e, path }, "gateway request failed");
      const status = e instanceof HttpError ? e.status : 500;
      if (!res.headersSent) send(res, jsonReply({ error: e instanceof HttpError ? e.message : "internal error" }, status));
      else res.destroy();
    }
  };

  const running = await listen((req, res) => void handle(req, res), opts.port ?? 0, opts.host ?? "127.0.0.1", () =>
    callbacks.reset(),
  );
  publicUrl ||= running.url;
  return { ...running, ledger, callbacks };
}
