// The web process's server, as main.ts and the tests wire it: the WebService
// endpoints (the standard server middlewares, with the browser rate limit
// before access) served by serveService with the cookie session, and beside
// the RPCs on the same port: CORS preflights and headers, then the built app.
// The public port serves neither /metrics nor gRPC reflection; /metrics is
// on the admin port (adminPort), when one is configured. Hotels' photos
// (hotel-images.ts) are served on the same port, before the app.
//
//   const server = await startWebServer({ port: 8080, log, service, sessions, registry, tracer, ... });
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { Middleware } from "../../endpoints/endpoint.js";
import { access } from "../../endpoints/middleware/access.js";
import { bulkhead } from "../../endpoints/middleware/bulkhead.js";
import { deadline } from "../../endpoints/middleware/deadline.js";
import { logging } from "../../endpoints/middleware/logging.js";
import { metrics } from "../../endpoints/middleware/metrics.js";
import { recover } from "../../endpoints/middleware/recover.js";
import { tracing } from "../../endpoints/middleware/tracing.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { endpointsOf, type Service } from "../../endpoints/service.js";
import { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { AuthenticateCall } from "../../transport/context.js";
import type { ReadinessCheck } from "../../transport/readiness.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import type { RequestHandler } from "../../transport/http-listener.js";
import { corsPolicy } from "../../transport/cors.js";
import { CSRF_HEADER } from "./cookies.js";
import { webRateLimit, type WebRateLimitOptions } from "./limits.js";
import { staticFiles } from "../../transport/static-files.js";
import { webValidators } from "./validators.js";

export interface WebMiddlewareOptions {
  registry: Registry;
  tracer: Tracer;
  rateLimit: WebRateLimitOptions;
  /** The limit of methods without their own timeout_ms. Default 10 s. */
  defaultTimeoutMs?: number;
}

/**
 * serverStack's order, with the browser rate limit (per address and per
 * customer) before access: refused and unauthenticated calls count too.
 */
export function webMiddlewares(o: WebMiddlewareOptions): Middleware[] {
  return [
    tracing(o.tracer),
    logging(),
    metrics(o.registry),
    recover(),
    webRateLimit(o.rateLimit),
    access(),
    deadline({ defaultTimeoutMs: o.defaultTimeoutMs ?? 10_000 }),
    bulkhead({ maxConcurrent: 256 }),
    validation(webValidators()),
  ];
}

export interface WebServerOptions extends WebMiddlewareOptions {
  port: number;
  host?: string;
  log: Logger;
  service: Service<typeof WebService>;
  /** The cookie session (session-transport.ts webSessions). */
  sessions: AuthenticateCall;
  /** Origins allowed to call with credentials (WEB_ALLOWED_ORIGINS). */
  allowedOrigins: readonly string[];
  /** The caller's address from X-Forwarded-For (WEB_TRUST_PROXY). */
  trustProxy: boolean;
  /** The built app (WEB_DIST). */
  dist: string;
  /** GET /images/hotels/<id>/<n> (hotel-images.ts); unset: no photos are served. */
  images?: (...args: Parameters<RequestHandler>) => boolean;
  /** The card gateway's origin, for the pages' CSP. */
  gatewayOrigin: string;
  ready?: ReadinessCheck;
  /** Where /metrics is served (WEB_ADMIN_PORT, on the same host as the public port); unset: nowhere. The public port never serves it. */
  adminPort?: number;
}

export async function startWebServer(o: WebServerOptions): Promise<RunningServer> {
  const endpoints = endpointsOf(WebService, o.service, ...webMiddlewares(o));
  const cors = corsPolicy(o.allowedOrigins, [CSRF_HEADER]);
  const statics = staticFiles({ dist: o.dist, gatewayOrigin: o.gatewayOrigin, log: o.log });
  return startServer({
    port: o.port,
    ...(o.host ? { host: o.host } : {}),
    log: o.log,
    routes: (router) =>
      serveService(router, WebService, endpoints, { log: o.log, authenticateCall: o.sessions, trustProxy: o.trustProxy }),
    http: (req, res) => {
      if (cors.preflight(req, res)) return true;
      cors.decorate(req, res);
      return o.images?.(req, res) === true || statics(req, res);
    },
    // The public edge: no reflection, no metrics (those only on the admin port, when there is one).
    reflection: false,
    // The admin listener binds where the public port does (LISTEN_HOST): 127.0.0.1 on one machine; on a
    // cluster the pod's address, so that Prometheus scrapes it (deploy/k8s lets only the monitoring namespace in).
    ...(o.adminPort !== undefined ? { metrics: o.registry, admin: { port: o.adminPort, ...(o.host ? { host: o.host } : {}) } } : {}),
    ...(o.ready ? { ready: o.ready } : {}),
  });
}
