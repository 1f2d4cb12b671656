// Test fixture of the transport tests: an implementation of the kit's test
// service (proto/itinera/echo/v1/echo.proto) and a server running it on an
// ephemeral port. Not used by production code.
import { setTimeout as sleep } from "node:timers/promises";
import { pino, type Logger } from "pino";
import * as assert from "uvu/assert";
import type { Context } from "../endpoints/context.js";
import { endpointsOf, type Service } from "../endpoints/service.js";
import type { Middleware } from "../endpoints/endpoint.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { serveService } from "./serve.js";
import { startServer, type RunningServer, type ServerOptions } from "./server.js";

export const silentLog: Logger = pino({ level: "silent" });

/**
 * The two ways a server serves unary gRPC (transport/grpc-unary.ts in front of
 * connect-node, or connect-node alone): every transport suite runs over both.
 */
export const SERVING_PATHS = [
  { name: "unary fast path", unaryFastPath: true },
  { name: "connect-node only", unaryFastPath: false },
] as const;

/**
 * Runs `calls` and proves which path served them: when `fast`, the fast path
 * took at least `atLeast` of them; otherwise it took none (it is off, or
 * the calls are not unary gRPC: connect-node answered them).
 */
export async function servedBy<T>(server: RunningServer, fast: boolean, calls: () => Promise<T>, atLeast = 1): Promise<T> {
  const before = server.unaryFastPathCalls;
  const out = await calls();
  const taken = server.unaryFastPathCalls - before;
  if (fast) assert.ok(taken >= atLeast, `the fast path served ${taken} calls, expected at least ${atLeast}`);
  else assert.is(taken, 0, "connect-node served every call");
  return out;
}

/** What the implementation saw of one call. */
export interface SeenCall {
  method: string;
  ctx: Context;
}

/** Echo, Increment, Countdown and Slow; `seen` receives each call's Context as it starts. */
export function echoImpl(seen: (call: SeenCall) => void = () => {}): Service<typeof EchoService> {
  let counter = 0n;
  return {
    async echo(ctx, req) {
      seen({ method: "echo", ctx });
      return { message: req.message };
    },
    async increment(ctx, req) {
      seen({ method: "increment", ctx });
      counter += BigInt(req.by);
      return { value: counter };
    },
    async *countdown(ctx, req) {
      seen({ method: "countdown", ctx });
      for (let remaining = req.count; remaining >= 1; remaining--) {
        yield { remaining };
        if (remaining > 1 && req.intervalMs > 0) await sleep(req.intervalMs, undefined, { signal: ctx.signal });
      }
    },
    async slow(ctx, req) {
      seen({ method: "slow", ctx });
      await sleep(req.delayMs, undefined, { signal: ctx.signal });
      return { waitedMs: req.delayMs };
    },
  };
}

export interface EchoServerOptions extends Partial<Omit<ServerOptions, "routes">> {
  impl?: Service<typeof EchoService>;
  middlewares?: Middleware[];
}

/** The echo service on 127.0.0.1, port 0, no middlewares unless given. */
export function startEchoServer(opts: EchoServerOptions = {}): Promise<RunningServer> {
  const log = opts.log ?? silentLog;
  const impl = opts.impl ?? echoImpl();
  return startServer({
    port: 0,
    ...opts,
    log,
    routes: (router) =>
      serveService(router, EchoService, endpointsOf(EchoService, impl, ...(opts.middlewares ?? [])), {
        log,
        authenticate: opts.authenticate,
      }),
  });
}
