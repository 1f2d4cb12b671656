// Request logging: one JSON line per call when it ends (for a server stream:
// when the stream ends), on the call's own logger, which the transport and
// tracing have bound to the request id and trace id. It names the procedure,
// the side, the outcome's gRPC code and the duration; a failure adds its
// message. Never the request or the response.
import type { Level } from "pino";
import type { Context } from "../context.js";
import { observeStream, type Endpoint, type MethodInfo, type Middleware } from "../endpoint.js";
import { asKitError, Code, codeName } from "../errors.js";

/**
 * How loud an outcome is: the server's own failures are errors, failures of
 * what it depends on are warnings, and whatever the caller caused (a bad
 * argument, a missing record, a cancellation) is routine.
 */
export function levelFor(code: Code | 0): Level {
  switch (code) {
    case Code.Internal:
    case Code.Unknown:
    case Code.DataLoss:
      return "error";
    case Code.Unavailable:
    case Code.DeadlineExceeded:
      return "warn";
    default:
      return "info";
  }
}

export function logging(): Middleware {
  return (next: Endpoint, info: MethodInfo): Endpoint => {
    const finish = (ctx: Context, started: number, error: unknown, failed: boolean) => {
      const duration_ms = Math.round((performance.now() - started) * 1000) / 1000;
      const fields = { procedure: info.procedure, side: info.side, duration_ms };
      if (!failed) {
        ctx.log.info({ ...fields, code: codeName(0) }, "rpc finished");
        return;
      }
      const kit = asKitError(error);
      ctx.log[levelFor(kit.code)]({ ...fields, code: kit.codeName, error: kit.message }, "rpc failed");
    };

    if (info.kind === "server_streaming") {
      return async (ctx, req) => {
        const started = performance.now();
        let stream: AsyncIterable<unknown>;
        try {
          stream = (await next(ctx, req)) as AsyncIterable<unknown>;
        } catch (e) {
          finish(ctx, started, e, true);
          throw e;
        }
        return observeStream(stream, (e) => finish(ctx, started, e, e !== undefined));
      };
    }
    return async (ctx, req) => {
      const started = performance.now();
      try {
        const out = await next(ctx, req);
        finish(ctx, started, undefined, false);
        return out;
      } catch (e) {
        finish(ctx, started, e, true);
        throw e;
      }
    };
  };
}
