// Recover: the outermost server middleware. Whatever a handler throws that is
// not a kit error (a bug, a driver error, a rejected promise, an error while a
// stream is read) reaches the caller as Internal "internal error": no stack
// and no internal message leaves the process. The original is logged here,
// with its stack, for whoever fixes it. Kit errors pass through unchanged.
// A bus consumer: whatever its handler throws becomes a failure the engine
// retries (Internal, its message kept: it goes to the dead letters, which only
// operators read, not to a caller), logged once here with its stack.
import type { Context } from "../context.js";
import type { Endpoint, EndpointInfo, EventInfo, MethodInfo, Middleware } from "../endpoint.js";
import { asKitError, Code, KitError } from "../errors.js";

export function recover(): Middleware<EndpointInfo> {
  return (next: Endpoint, info: EndpointInfo): Endpoint => {
    if (info.kind === "event") return recoverDelivery(next, info);
    const sanitize = (ctx: Context, e: unknown): KitError => sanitized(ctx, info, e);
    if (info.kind === "server_streaming") {
      return async (ctx, req) => {
        let stream: AsyncIterable<unknown>;
        try {
          stream = (await next(ctx, req)) as AsyncIterable<unknown>;
        } catch (e) {
          throw sanitize(ctx, e);
        }
        return mapStreamError(stream, (e) => sanitize(ctx, e));
      };
    }
    return async (ctx, req) => {
      try {
        return await next(ctx, req);
      } catch (e) {
        throw sanitize(ctx, e);
      }
    };
  };
}

/**
 * The error the caller sees. A failure after the call's signal fired is the
 * consequence of the cancellation or the deadline (an aborted query, an
 * aborted fetch), not a bug: it is reported as such, logged as a warning.
 */
function sanitized(ctx: Context, info: MethodInfo, e: unknown): KitError {
  if (e instanceof KitError) return e;
  if (ctx.signal.aborted) {
    const expired = ctx.deadline !== undefined && Date.now() >= ctx.deadline;
    ctx.log.warn({ err: e, procedure: info.procedure }, "call failed after it was aborted");
    return expired
      ? new KitError(Code.DeadlineExceeded, "the deadline passed before the call finished")
      : new KitError(Code.Canceled, "the call was canceled");
  }
  ctx.log.error({ err: e, procedure: info.procedure }, "unexpected error");
  return new KitError(Code.Internal, "internal error");
}

/** A handler's crash as a failure of the delivery; also a synchronous throw, or a throw of something not an Error. */
function recoverDelivery(next: Endpoint, info: EventInfo): Endpoint {
  return async (ctx, req) => {
    try {
      return await next(ctx, req);
    } catch (e) {
      if (e instanceof KitError) throw e;
      ctx.log.error({ err: e, topic: info.topic, group: info.group }, "a bus handler crashed; the message will be retried");
      throw asKitError(e);
    }
  };
}

/** The same stream, with any error thrown while it is read replaced by `map(error)`. */
function mapStreamError<T>(source: AsyncIterable<T>, map: (e: unknown) => unknown): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      try {
        yield* source;
      } catch (e) {
        throw map(e);
      }
    },
  };
}
