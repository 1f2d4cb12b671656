// The one HTTP pipeline of every sandbox seller: health, the admin API, then
// the seller's own routes behind its mode (down: the socket is destroyed;
// fail: 500; slow: wait delay_ms) — its hotels' photos are served outside
// them, as from a CDN — and, for price and fare calls, the token
// bucket (429 + Retry-After, counted as throttled) and the search counter.
import type { IncomingMessage, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { pino, type Logger } from "pino";
import { adminApis, SellerAdmin } from "./admin.js";
import { HttpError, jsonReply, listen, send, type Api, type Reply, type RunningServer } from "./http.js";
import { TokenBucket, type ThrottleOptions } from "./throttle.js";
import type { Inventory } from "./inventory.js";
import { photoReply } from "./picture.js";

/** What every seller's start function takes. */
export interface SellerOptions {
  /** The shared inventory (generateInventory); build it once and hand it to every seller. */
  inventory: Inventory;
  /** Default 0: any free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 50 requests/s, burst 100. */
  throttle?: ThrottleOptions;
  /** Default: silent. */
  log?: Logger;
}

export interface RunningSeller extends RunningServer {
  admin: SellerAdmin;
}

export interface SellerServerSpec {
  apis: Api[];
  /** How this seller words an error: JSON or XML. */
  errorReply: (status: number, message: string) => Reply;
  /** Seller-specific admin routes and counters. */
  adminExtras?: Api[];
  counters?: readonly string[];
  /** Runs first when the server closes (stop timers). */
  onClose?: () => void;
  /** Called with the admin once it exists, before listening. */
  withAdmin?: (admin: SellerAdmin) => void;
}

export async function startSellerServer(opts: SellerOptions, spec: SellerServerSpec): Promise<RunningSeller> {
  const log = opts.log ?? pino({ level: "silent" });
  const admin = new SellerAdmin(spec.counters);
  spec.withAdmin?.(admin);
  const throttle = new TokenBucket(opts.throttle);
  const closing = new AbortController();
  const key = (method: string, path: string) => `${method} ${path}`;
  const admins = new Map(adminApis(admin, throttle, spec.adminExtras).map((a) => [key(a.method, a.path), a]));
  const apis = new Map(spec.apis.map((a) => [key(a.method, a.path), a]));

  const run = async (api: Api, req: IncomingMessage, url: URL): Promise<Reply> => {
    try {
      return await api.handle({ method: req.method ?? "GET", path: url.pathname, query: url.searchParams, raw: req });
    } catch (e) {
      if (e instanceof HttpError) return spec.errorReply(e.status, e.message);
      log.error({ err: e, path: url.pathname }, "sandbox handler failed");
      return spec.errorReply(500, "internal error");
    }
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? "/", "http://sandbox");
    const method = req.method ?? "GET";
    if (url.pathname === "/healthz" || url.pathname === "/readyz") return send(res, jsonReply({ status: "ok" }));
    const adminApi = admins.get(key(method, url.pathname));
    if (adminApi) return send(res, await run(adminApi, req, url));
    // Its hotels' photos, as a CDN would serve them: outside the API's mode and throttle.
    if (method === "GET" && url.pathname.startsWith("/images/")) {
      return send(res, await run({ method: "GET", path: url.pathname, handle: () => photoReply(opts.inventory, req, url.pathname) }, req, url));
    }
    const api = apis.get(key(method, url.pathname));
    if (!api) return send(res, spec.errorReply(404, `no route ${method} ${url.pathname}`));
    return admin.track(answer(api, req, res, url));
  };

  /** An API call, behind the seller's mode and throttle. */
  const answer = async (api: Api, req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> => {
    switch (admin.mode) {
      case "down":
        req.socket.destroy();
        return;
      case "fail":
        return send(res, spec.errorReply(500, "the seller is failing (sandbox mode fail)"));
      case "slow":
        try {
          await sleep(admin.delayMs, undefined, { signal: closing.signal });
        } catch {
          return; // the server is closing
        }
        if (res.destroyed) return;
    }
    if (api.priced) {
      const admission = throttle.take();
      if (!admission.ok) {
        admin.count("throttled");
        const reply = spec.errorReply(429, `over ${throttle.ratePerSec} requests per second`);
        return send(res, { ...reply, headers: { "retry-after": String(admission.retryAfterSec) } });
      }
      admin.count("searches");
    }
    send(res, await run(api, req, url));
  };

  const running = await listen(
    (req, res) => {
      handle(req, res).catch((e: unknown) => {
        log.error({ err: e }, "sandbox request failed");
        if (!res.headersSent) send(res, spec.errorReply(500, "internal error"));
        else res.destroy();
      });
    },
    opts.port ?? 0,
    opts.host ?? "127.0.0.1",
    () => {
      spec.onClose?.();
      closing.abort();
    },
  );
  return { ...running, admin };
}
