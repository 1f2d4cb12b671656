// A plain-HTTP webhook in front of one unary endpoint, for third parties
// that POST to a URL instead of calling an RPC: `POST <prefix><name>`,
// served beside the RPCs through startServer's `http` option. It reads the
// body, lets the service's `decode` build the request from the name in the
// path, the body and the headers, calls the endpoint (with the same
// middlewares as an RPC: logging, metrics, validation), and answers the
// service's `encode` of the response as JSON, or a KitError as an HTTP
// status (Google's gRPC ↔ HTTP mapping) with a JSON body.
//
//   http: webhookRoute({ ...pushWebhook(endpoints), log })   // services/sellers/main.ts
import type { Logger } from "pino";
import { backgroundContext } from "../endpoints/context.js";
import type { Endpoint } from "../endpoints/endpoint.js";
import { asKitError, Code } from "../endpoints/errors.js";
import { DEFAULT_MAX_REQUEST_BYTES } from "./limits.js";
import { percentDecoded, header, pathOf, readBody, replyJson, type Request, type Response } from "./http-route.js";


/** What a service says about its webhook; no HTTP in it. */
export interface WebhookSpec {
  /** The path before the name: "/webhooks/". */
  prefix: string;
  /** The unary endpoint that handles a delivery. */
  endpoint: Endpoint;
  /** The request message, from the name after the prefix, the raw body and a header reader. */
  decode: (name: string, body: Uint8Array, header: (name: string) => string | undefined) => unknown;
  /** The JSON answered for the endpoint's response. */
  encode: (response: unknown) => unknown;
}

export interface WebhookOptions extends WebhookSpec {
  log: Logger;
  /** Larger bodies are refused with 413 before they are parsed. Default 1 MiB, as every RPC. */
  maxBodyBytes?: number;
  /** The call's deadline. Default 60 000 ms. */
  timeoutMs?: number;
}

const STATUS: Partial<Record<Code, number>> = {
  [Code.InvalidArgument]: 400,
  [Code.FailedPrecondition]: 400,
  [Code.OutOfRange]: 400,
  [Code.Unauthenticated]: 401,
  [Code.PermissionDenied]: 403,
  [Code.NotFound]: 404,
  [Code.AlreadyExists]: 409,
  [Code.Aborted]: 409,
  [Code.ResourceExhausted]: 429,
  [Code.Canceled]: 499,
  [Code.Unimplemented]: 501,
  [Code.Unavailable]: 503,
  [Code.DeadlineExceeded]: 504,
};
const HIDDEN = new Set([Code.Internal, Code.Unknown, Code.DataLoss]);

/** The route for startServer's `http` option: true when it took the request. */
export function webhookRoute(opts: WebhookOptions): (req: Request, res: Response) => boolean {
  const { prefix } = opts;
  const maxBodyBytes = opts.maxBodyBytes ?? DEFAULT_MAX_REQUEST_BYTES;

  return (req, res) => {
    const path = pathOf(req);
    if (!path.startsWith(prefix)) return false;
    const name = percentDecoded(path.slice(prefix.length));
    if (name === undefined) {
      replyJson(res, 400, { code: "INVALID_ARGUMENT", message: "the webhook name in the path is not valid percent-encoded UTF-8" });
    } else if (name === "" || name.includes("/")) {
      replyJson(res, 404, { code: "NOT_FOUND", message: `no webhook at ${prefix}${name}` });
    } else if (req.method !== "POST") {
      res.setHeader("allow", "POST");
      replyJson(res, 405, { code: "METHOD_NOT_ALLOWED", message: "a webhook takes POST only" });
    } else {
      void handle(req, res, name).catch((e: unknown) => {
        opts.log.error({ err: e instanceof Error ? e.message : String(e) }, "webhook failed");
        if (!res.headersSent) replyJson(res, 500, { code: "INTERNAL", message: "internal error" });
      });
    }
    return true;
  };

  async function handle(req: Request, res: Response, name: string) {
    const body = await readBody(req, maxBodyBytes);
    if (body === undefined) {
      replyJson(res, 413, { code: "PAYLOAD_TOO_LARGE", message: `the body exceeds ${maxBodyBytes} bytes` });
      return;
    }
    const aborted = new AbortController();
    res.once("close", () => aborted.abort(new Error("the seller closed the connection")));
    const requestId = header(req, "x-request-id");
    const ctx = backgroundContext({
      log: opts.log,
      deadline: Date.now() + (opts.timeoutMs ?? 60_000),
      signal: aborted.signal,
      ...(requestId ? { requestId } : {}),
    });
    try {
      const request = opts.decode(name, body, (h) => header(req, h));
      replyJson(res, 200, opts.encode(await opts.endpoint(ctx, request)));
    } catch (e) {
      const error = asKitError(e);
      replyJson(res, STATUS[error.code] ?? 500, {
        code: error.codeName,
        message: HIDDEN.has(error.code) ? "internal error" : error.message,
      });
    }
  }
}

