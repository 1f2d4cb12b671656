// grpc.health.v1.Health as a kit service: what Kubernetes gRPC probes and
// grpc-health-probe call. Every service name answers the process's readiness
// (SERVING when ready, NOT_SERVING when not or shutting down).
//
//   serveService(router, Health, endpointsOf(Health, healthService(readiness, ["itinera.wallet.v1.WalletService"])), { log });
//
// startServer (transport/server.ts) wires it for every service on its router.
// Check: "" is the whole server; an unknown name is NOT_FOUND.
// Watch: sends the current status, then each change (readiness is checked
// every `pollMs`), until the caller goes away or the server shuts down (after
// sending NOT_SERVING). An unknown name gets SERVICE_UNKNOWN and the stream
// stays open, as the protocol asks.
// List: every name with its status.
import type { Context } from "../endpoints/context.js";
import { notFound } from "../endpoints/errors.js";
import type { Service } from "../endpoints/service.js";
import { Health, HealthCheckResponse_ServingStatus as Status } from "../gen/grpc/health/v1/health_pb.js";
import type { Readiness } from "./readiness.js";

export interface HealthOptions {
  /** How often Watch re-checks readiness (default 5 000 ms). */
  pollMs?: number;
}

export function healthService(
  readiness: Readiness,
  serviceNames: readonly string[],
  opts: HealthOptions = {},
): Service<typeof Health> {
  const pollMs = opts.pollMs ?? 5_000;
  const known = new Set(["", ...serviceNames]);
  const current = async () => ((await readiness.status()).ready ? Status.SERVING : Status.NOT_SERVING);

  return {
    async check(_ctx, req) {
      if (!known.has(req.service)) throw notFound(`no health status for service "${req.service}"`);
      return { status: await current() };
    },

    async list() {
      const status = await current();
      return { statuses: Object.fromEntries([...known].map((name) => [name, { status }])) };
    },

    async *watch(ctx, req) {
      if (!known.has(req.service)) {
        yield { status: Status.SERVICE_UNKNOWN };
        await pause(ctx, readiness, Infinity);
        return;
      }
      let last: Status | undefined;
      while (!ctx.signal.aborted) {
        const status = await current();
        if (status !== last) {
          yield { status };
          last = status;
        }
        if (readiness.shuttingDown) return;
        await pause(ctx, readiness, pollMs);
      }
    },
  };
}

/** Resolves after `ms`, or as soon as the call ends or the server starts draining. */
function pause(ctx: Context, readiness: Readiness, ms: number): Promise<void> {
  if (ctx.signal.aborted || readiness.shuttingDown) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = Number.isFinite(ms) ? setTimeout(done, ms) : undefined;
    const stopWatchingDrain = readiness.onDrain(done);
    ctx.signal.addEventListener("abort", done, { once: true });
    function done() {
      clearTimeout(timer);
      stopWatchingDrain();
      ctx.signal.removeEventListener("abort", done);
      resolve();
    }
  });
}
