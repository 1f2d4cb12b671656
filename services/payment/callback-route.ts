// Transport side of the gateway's callback: `POST /callbacks/gateway` on the
// service's own port (startServer's `http` option, beside the RPCs). Decode
// and encode only — it reads the raw body and the signature header, hands
// them to PaymentCallbacks (callbacks.ts), and answers the outcome as an HTTP
// status the gateway understands: 2xx stops its retries, anything else makes
// it try again later.
//   200 {"payment_id","status","duplicate"}   applied now, or already
//   400 malformed body, 401 bad or missing signature, 404 unknown payment,
//   422 a decision that does not fit the payment (amount, session, state),
//   413 a body over 64 KiB, 405 not a POST, 503/500 our failure (retried).
// Modelled on transport/webhook.ts, whose fixed status table has no 422.
import type { Logger } from "pino";
import { backgroundContext } from "../../endpoints/context.js";
import { asKitError, Code } from "../../endpoints/errors.js";
import type { PaymentCallbacks } from "./callbacks.js";
import { SIGNATURE_HEADER } from "./signature.js";
import { header, pathOf, readBody, replyJson, type Request, type Response } from "../../transport/http-route.js";


export const CALLBACK_PATH = "/callbacks/gateway";
const MAX_BODY_BYTES = 64 * 1024;
const TIMEOUT_MS = 10_000;

const STATUS: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.FailedPrecondition]: 422,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};

export interface CallbackRouteOptions {
  callbacks: PaymentCallbacks;
  log: Logger;
}

/** The route for startServer's `http` option: true when it took the request. */
export function gatewayCallbackRoute(opts: CallbackRouteOptions): (req: Request, res: Response) => boolean {
  const log = opts.log.child({ route: CALLBACK_PATH });
  return (req, res) => {
    if (pathOf(req) !== CALLBACK_PATH) return false;
    if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      replyJson(res, 405, { code: "METHOD_NOT_ALLOWED", message: "the gateway callback takes POST only" });
      return true;
    }
    void handle(req, res).catch((e: unknown) => {
      log.error({ err: e instanceof Error ? e.message : String(e) }, "gateway callback failed");
      if (!res.headersSent) replyJson(res, 500, { code: "INTERNAL", message: "internal error" });
    });
    return true;
  };

  async function handle(req: Request, res: Response) {
    const body = await readBody(req, MAX_BODY_BYTES);
    if (body === undefined) {
      replyJson(res, 413, { code: "PAYLOAD_TOO_LARGE", message: `the body exceeds ${MAX_BODY_BYTES} bytes` });
      return;
    }
    const aborted = new AbortController();
    res.once("close", () => aborted.abort(new Error("the gateway closed the connection")));
    const ctx = backgroundContext({ log, deadline: Date.now() + TIMEOUT_MS, signal: aborted.signal });
    try {
      const outcome = await opts.callbacks.receive(ctx, { body, signature: header(req, SIGNATURE_HEADER) });
      replyJson(res, 200, { payment_id: outcome.paymentId, status: outcome.status, duplicate: outcome.duplicate });
    } catch (e) {
      const error = asKitError(e);
      const status = STATUS[error.code] ?? 500;
      if (status >= 500) log.error({ err: error.message, code: error.codeName }, "gateway callback failed");
      replyJson(res, status, { code: error.codeName, message: status === 500 ? "internal error" : error.message });
    }
  }
}

