// CORS for an API browsers call (the BFF's). An app served from the same
// origin needs none; the allowed origins (the BFF's WEB_ALLOWED_ORIGINS, e.g.
// the Vite dev server, http://127.0.0.1:5173) may call it with credentials:
// preflights answered with Connect's lists (@connectrpc/connect `cors`) plus
// our own headers, the exact origin echoed (never "*", which credentials
// forbid), Vary: Origin. Any other origin gets no CORS headers at all, so the
// browser keeps its pages from reading our answers; its preflight is refused.
import { cors } from "@connectrpc/connect";
import { RETRY_AFTER_MS_HEADER } from "./errors.js";
import { writeHead, type Request, type Response } from "./http-route.js";

const EXPOSE_HEADERS = [...cors.exposedHeaders, RETRY_AFTER_MS_HEADER, "x-request-id"].join(", ");
const ALLOW_METHODS = cors.allowedMethods.join(", ");
/** How long a browser may reuse a preflight's answer. */
const MAX_AGE_SECONDS = 7200;

export interface CorsPolicy {
  /** Answers a preflight (OPTIONS with Access-Control-Request-Method) and returns true; otherwise false. */
  preflight(req: Request, res: Response): boolean;
  /** Adds the CORS headers an actual request from an allowed origin needs. */
  decorate(req: Request, res: Response): void;
}

/** `extraHeaders`: request headers of the API's own that browsers may send (a CSRF header). */
export function corsPolicy(allowedOrigins: readonly string[], extraHeaders: readonly string[] = []): CorsPolicy {
  const ALLOW_HEADERS = [...cors.allowedHeaders, ...extraHeaders, "x-request-id", "traceparent"].join(", ");
  const allowed = new Set(allowedOrigins.map((o) => o.replace(/\/+$/, "")));
  const originOf = (req: Request) => {
    const origin = req.headers.origin;
    return typeof origin === "string" && allowed.has(origin) ? origin : undefined;
  };
  return {
    preflight(req, res) {
      if (req.method !== "OPTIONS" || req.headers["access-control-request-method"] === undefined) return false;
      const origin = originOf(req);
      res.setHeader("Vary", "Origin, Access-Control-Request-Method, Access-Control-Request-Headers");
      if (!origin) {
        writeHead(res, 403, { "Content-Type": "text/plain; charset=utf-8" });
        res.end("cross-origin calls are not allowed from this origin\n");
        return true;
      }
      writeHead(res, 204, {
        "Access-Control-Allow-Origin": origin,
        "Access-Control-Allow-Credentials": "true",
        "Access-Control-Allow-Methods": ALLOW_METHODS,
        "Access-Control-Allow-Headers": ALLOW_HEADERS,
        "Access-Control-Max-Age": String(MAX_AGE_SECONDS),
      });
      res.end();
      return true;
    },
    decorate(req, res) {
      res.setHeader("Vary", "Origin");
      const origin = originOf(req);
      if (!origin) return;
      res.setHeader("Access-Control-Allow-Origin", origin);
      res.setHeader("Access-Control-Allow-Credentials", "true");
      res.setHeader("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    },
  };
}
