// Request logging: a JSON line when a call ends (for a server stream: when
// the stream ends), on the call's own logger, which the transport and tracing
// have bound to the request id and trace id. It names the procedure, the
// side, the outcome's gRPC code and the duration; a failure adds its message.
// Never the request or the response. Every failure is logged; a success is
// logged as the process's SuccessSampler says (platform/log-sampling.ts:
// always when slow, at info for sampled traces and while the process is
// quiet, else at debug), so that a busy process does not spend more on its
// log than on its calls. A bus consumer: one line per delivery, naming the
// topic, group, message id, attempt, outcome and duration; never the payload.
import { levels, type Level } from "pino";
import { successSamplerOf } from "../../platform/logger.js";
import type { Delivery } from "../bus.js";
import type { Context } from "../context.js";
import { observeStream, type Endpoint, type EndpointInfo, type EventInfo, type Middleware } from "../endpoint.js";
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

const OK = codeName(0);
const DEBUG = levels.values.debug!;

export function logging(): Middleware<EndpointInfo> {
  return (next: Endpoint, info: EndpointInfo): Endpoint => {
    if (info.kind === "event") return deliveryLogging(next, info);
    const { procedure, side } = info;
    const finish = (ctx: Context, started: number, error: unknown, failed: boolean) => {
      const ms = performance.now() - started;
      const duration_ms = Math.round(ms * 1000) / 1000;
      if (failed) {
        const kit = asKitError(error);
        ctx.log[levelFor(kit.code)]({ procedure, side, duration_ms, code: kit.codeName, error: kit.message }, "rpc failed");
        return;
      }
      const level = successSamplerOf(ctx.log)?.levelOf(ctx.trace?.traceId, ms) ?? "info";
      if (level === "warn") ctx.log.warn({ procedure, side, duration_ms, code: OK, slow: true }, "rpc finished");
      else if (level === "info" || ctx.log.levelVal <= DEBUG) ctx.log[level]({ procedure, side, duration_ms, code: OK }, "rpc finished");
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

/** One line per delivery: failures as loud as an RPC's (the engine retries them), successes sampled the same way. */
function deliveryLogging(next: Endpoint, info: EventInfo): Endpoint {
  const { topic, group } = info;
  return async (ctx, req) => {
    const { meta } = req as Delivery;
    const started = performance.now();
    const line = () => ({ topic, group, message_id: meta.messageId.toString(), attempt: meta.attempt, duration_ms: Math.round((performance.now() - started) * 1000) / 1000 });
    try {
      const out = await next(ctx, req);
      const fields = line();
      const level = successSamplerOf(ctx.log)?.levelOf(ctx.trace?.traceId, fields.duration_ms) ?? "info";
      if (level === "warn") ctx.log.warn({ ...fields, code: OK, slow: true }, "message handled");
      else if (level === "info" || ctx.log.levelVal <= DEBUG) ctx.log[level]({ ...fields, code: OK }, "message handled");
      return out;
    } catch (e) {
      const kit = asKitError(e);
      ctx.log[levelFor(kit.code)]({ ...line(), code: kit.codeName, error: kit.message }, "message failed");
      throw e;
    }
  };
}
