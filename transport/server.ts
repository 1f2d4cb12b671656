// The server of a process: ONE port serving Connect, gRPC and gRPC-Web over
// HTTP/2 cleartext and HTTP/1.1, plus /healthz, /readyz and /metrics,
// grpc.health.v1.Health and gRPC server reflection v1.
//
//   const server = await startServer({
//     port: 7004,
//     log,
//     routes: (router) => serveService(router, WalletService, endpointsOf(WalletService, wallet, ...mws), { log }),
//     ready: async () => (await db.raw("select 1").then(() => true, () => "database unreachable")),
//     metrics: registry,                       // prom-client Registry, optional
//   });
//   server.url;                                // "http://127.0.0.1:7004"
//   await server.close(10_000);                // on SIGTERM
//
// Unary gRPC calls to methods served with serveService take a fast path in
// front of connect-node (transport/grpc-unary.ts: same Context, endpoint,
// errors and trailers, a fraction of the CPU); `unaryFastPath: false` serves
// them with connect-node too (the transport tests run both ways).
// Health and reflection cover every service `routes` registered (health
// answers for each service name and for ""); they need no wiring. A public
// edge (the BFF) turns reflection off and serves /metrics on a separate
// admin listener (`admin`), so that neither is reachable from outside.
// close(graceMs): stops accepting connections, turns /readyz and health to
// NOT_SERVING, lets in-flight calls finish within graceMs, then aborts the
// handlers still running (their calls end with UNAVAILABLE) and closes every
// connection left.
import { setMaxListeners } from "node:events";
import type { DescService } from "@bufbuild/protobuf";
import { Code, ConnectError, createContextValues, type ConnectRouter } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { endpointsOf } from "../endpoints/service.js";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { CLIENT_ADDRESS, type Authenticate } from "./context.js";
import { classifyDecodeErrors, STRICT_JSON } from "./decode-errors.js";
import { unaryFastPath } from "./grpc-unary.js";
import { healthService } from "./health.js";
import { listenHttp1AndH2c, type RequestHandler } from "./http-listener.js";
import { replyJson, writeHead } from "./http-route.js";
import { DEFAULT_MAX_REQUEST_BYTES } from "./limits.js";
import { probeHandler } from "./probes.js";
import { Readiness, type ReadinessCheck } from "./readiness.js";
import { serveReflection } from "./reflection.js";
import { serveService } from "./serve.js";

export interface ServerOptions {
  /** 0 binds any free port (tests); RunningServer.port tells which. */
  port: number;
  /** Default "127.0.0.1"; "0.0.0.0" to accept connections from other hosts. */
  host?: string;
  /** Registers the process's services, normally with serveService. */
  routes: (router: ConnectRouter) => void;
  log: Logger;
  /** Readiness (e.g. a database ping): `true`, or `false`/a reason. Default: always ready. */
  ready?: ReadinessCheck;
  /** Served at /metrics (on the admin listener when `admin` is given). */
  metrics?: Registry;
  /** gRPC server reflection v1 on the port. Default true; off on a public edge. */
  reflection?: boolean;
  /**
   * A second listener for operators only: /healthz, /readyz and /metrics,
   * nothing else. When given, the main port does not serve /metrics.
   * Bound to 127.0.0.1 unless `host` says otherwise; port 0 picks a free one.
   */
  admin?: { port: number; host?: string };
  /** How often health Watch streams re-check readiness (default 5 000 ms). */
  healthPollMs?: number;
  /** Health's own calls get a principal through this too (default: none). */
  authenticate?: Authenticate;
  /**
   * Plain HTTP routes beside the RPCs, for callers that cannot speak them (a
   * seller's webhook): answers the request and returns true, or returns false
   * to let the RPC router have it. Decode and encode only: no business logic.
   */
  http?: (...args: Parameters<RequestHandler>) => boolean;
  /** Unary gRPC calls served by transport/grpc-unary.ts instead of connect-node. Default true. */
  unaryFastPath?: boolean;
}

export interface RunningServer {
  /** The port actually bound. */
  readonly port: number;
  /** The admin listener's port, when there is one. */
  readonly adminPort?: number;
  /** "http://host:port", for clients. */
  readonly url: string;
  readonly readiness: Readiness;
  /** How many calls the unary gRPC fast path served (0 when it is off). */
  readonly unaryFastPathCalls: number;
  /** Graceful shutdown; resolves when every connection is closed. Default grace 10 s. */
  close(graceMs?: number): Promise<void>;
}

export async function startServer(opts: ServerOptions): Promise<RunningServer> {
  const host = opts.host ?? "127.0.0.1";
  const log = opts.log;
  const readiness = new Readiness(opts.ready);
  const shutdown = new AbortController();
  setMaxListeners(0, shutdown.signal); // every call in flight listens to it

  let rpcRouter: ConnectRouter | undefined; // what the fast path serves from
  const rpc = connectNodeAdapter({
    shutdownSignal: shutdown.signal,
    // What a caller may send (serveService raises it per method) and what an undecodable request answers.
    readMaxBytes: DEFAULT_MAX_REQUEST_BYTES,
    jsonOptions: STRICT_JSON,
    requestGate: classifyDecodeErrors,
    // The caller's address, for per-address limits (transport/context.ts reads it).
    contextValues: (req) => createContextValues().set(CLIENT_ADDRESS, req.socket?.remoteAddress),
    routes(router) {
      rpcRouter = router;
      opts.routes(router);
      const services = () => uniqueServices(router.handlers.map((h) => h.service));
      if (!services().some((s) => s.typeName === Health.typeName)) {
        const names = services().map((s) => s.typeName);
        const health = healthService(readiness, names, { pollMs: opts.healthPollMs });
        serveService(router, Health, endpointsOf(Health, health), { log, authenticate: opts.authenticate });
      }
      if (opts.reflection ?? true) serveReflection(router, [...services(), ServerReflection]);
    },
  });
  const fast = (opts.unaryFastPath ?? true) && rpcRouter ? unaryFastPath(rpcRouter, { shutdownSignal: shutdown.signal, log }) : undefined;
  const probes = probeHandler({ readiness, ...(opts.metrics && !opts.admin ? { metrics: opts.metrics } : {}) });
  const handler: RequestHandler = (req, res) => {
    if (probes(req, res) || opts.http?.(req, res)) return;
    if (!hasUsableAuthority(req)) {
      replyJson(res, 400, { code: "invalid_argument", message: "the request needs a valid Host header (or :authority)" });
      return;
    }
    if (!fast?.handle(req, res)) rpc(req, res);
  };

  const listener = await listenHttp1AndH2c(handler, {
    port: opts.port,
    host,
    onHandlerError: (err, req) => log.error({ err, method: req.method }, "a request handler threw; answered 500"),
  });
  const url = `http://${host.includes(":") ? `[${host}]` : host}:${listener.port}`;
  log.info({ port: listener.port, host }, "server listening");
  const admin = opts.admin ? await listenAdmin(opts.admin, probeHandler({ readiness, ...(opts.metrics ? { metrics: opts.metrics } : {}) }), log) : undefined;
  if (admin) log.info({ admin_port: admin.port }, "admin listener (probes, metrics)");

  let closing: Promise<void> | undefined;
  const close = (graceMs = 10_000) =>
    (closing ??= (async () => {
      log.info({ grace_ms: graceMs }, "server shutting down");
      readiness.drain();
      await Promise.all([
        listener.close(graceMs, () => {
          log.warn("grace period over: aborting the calls still running");
          shutdown.abort(new ConnectError("the server is shutting down", Code.Unavailable));
        }),
        admin?.close(graceMs),
      ]);
      log.info("server closed");
    })());

  return {
    port: listener.port,
    ...(admin ? { adminPort: admin.port } : {}),
    url,
    readiness,
    get unaryFastPathCalls() {
      return fast?.calls ?? 0;
    },
    close,
  };
}

/** The admin listener: the probes (with /metrics), 404 for anything else. */
function listenAdmin(o: { port: number; host?: string }, probes: (...args: Parameters<RequestHandler>) => boolean, log: Logger) {
  const handler: RequestHandler = (req, res) => {
    if (probes(req, res)) return;
    writeHead(res, 404, { "content-type": "text/plain; charset=utf-8" });
    res.end("the admin port serves /healthz, /readyz and /metrics only\n");
  };
  return listenHttp1AndH2c(handler, {
    port: o.port,
    host: o.host ?? "127.0.0.1",
    onHandlerError: (err, req) => log.error({ err, method: req.method }, "an admin request handler threw; answered 500"),
  });
}

/**
 * connect-node builds each call's URL from the Host header (HTTP/1.1) or
 * :authority (HTTP/2) and throws on a missing or malformed one (HTTP/1.0
 * without Host, "Host: a b").
 */
function hasUsableAuthority(req: Parameters<RequestHandler>[0]): boolean {
  const authority = "authority" in req ? req.authority : req.headers.host;
  if (!authority) return false;
  return URL.canParse(`http://${authority}/`);
}

function uniqueServices(services: DescService[]): DescService[] {
  return [...new Map(services.map((s) => [s.typeName, s])).values()];
}
