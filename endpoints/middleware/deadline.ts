// Deadlines. Server side: enforcement. A call gets until the earliest of the
// caller's deadline and the method's limit (its (itinera.options.v1.timeout_ms)
// option, else `defaultTimeoutMs`); the handler's ctx.signal fires when that
// passes, and the call answers DeadlineExceeded at once even if the handler
// ignores its signal. Client side: propagation. A call never gets more time
// than its caller has left (and at most `defaultTimeoutMs`); the transport
// turns ctx.deadline into the wire timeout. For a server stream the deadline
// covers the whole stream. A bus consumer: enforcement, like a server, with
// the subscription's timeoutMs (each delivery gets its own deadline; the
// engine keeps the message leased for longer than that).
import { derive, type Context } from "../context.js";
import { nameOf, type Endpoint, type EndpointInfo, type Middleware } from "../endpoint.js";
import { Code, KitError } from "../errors.js";

export interface DeadlineOptions {
  /**
   * Server: the limit of methods without their own timeout_ms option.
   * Client: a cap on every call.
   */
  defaultTimeoutMs?: number;
}

const MAX_TIMER_MS = 2 ** 31 - 1;

export function deadline(opts: DeadlineOptions = {}): Middleware<EndpointInfo> {
  return (next: Endpoint, info: EndpointInfo): Endpoint => {
    // Server and consumer: the method's (subscription's) own limit replaces the default (it may need more).
    const limitMs = info.side !== "client" && info.timeoutMs > 0 ? info.timeoutMs : opts.defaultTimeoutMs;
    return (ctx, req) => {
      const now = Date.now();
      const effective = earliest(ctx.deadline, limitMs === undefined ? undefined : now + limitMs);
      if (effective === undefined) return next(ctx, req);
      if (effective <= now) return Promise.reject(expired(info));
      // Beyond what a timer can wait (~24.8 days) there is nothing to enforce.
      if (effective - now > MAX_TIMER_MS) return next(derive(ctx, { deadline: effective }), req);
      return within(next, ctx, req, effective, info);
    };
  };
}

function earliest(a: number | undefined, b: number | undefined): number | undefined {
  if (a === undefined) return b;
  if (b === undefined) return a;
  return Math.min(a, b);
}

function expired(info: EndpointInfo): KitError {
  return new KitError(Code.DeadlineExceeded, `${nameOf(info)} did not finish before its deadline`);
}

/**
 * Runs the call with ctx.deadline = `deadlineAt` and a signal that also fires
 * then; whichever comes first, the answer or the deadline, settles the call.
 * The timer is cleared when the call (or its stream) ends.
 */
async function within(next: Endpoint, ctx: Context, req: unknown, deadlineAt: number, info: EndpointInfo) {
  const watch = new Watch(ctx.signal, deadlineAt, info);
  const inner = derive(ctx, { deadline: deadlineAt, signal: watch.controller.signal });
  let out: unknown;
  try {
    out = await Promise.race([next(inner, req), watch.passed]);
  } catch (e) {
    watch.stop();
    throw e;
  }
  if (info.kind === "server_streaming") return streamWithin(out as AsyncIterable<unknown>, watch);
  watch.stop();
  return out;
}

/**
 * One call's deadline. One controller for both causes: the caller's abort is
 * forwarded to it by a listener removed at the end (AbortSignal.any costs
 * more per call and keeps its sources alive until collected). A class, not
 * closures: this runs for every call.
 */
class Watch {
  readonly controller = new AbortController();
  /** Rejects with DeadlineExceeded when the deadline passes; observed by the races, never unhandled. */
  readonly passed: Promise<never>;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly caller: AbortSignal,
    deadlineAt: number,
    info: EndpointInfo,
  ) {
    if (caller.aborted) this.controller.abort(caller.reason);
    else caller.addEventListener("abort", this, ONCE);
    this.passed = new Promise<never>((_, reject) => {
      this.timer = setTimeout(expire, deadlineAt - Date.now(), this.controller, reject, info);
    });
    this.passed.catch(ignore);
  }

  /** The caller aborted (EventListener). */
  handleEvent(): void {
    this.controller.abort(this.caller.reason);
  }

  stop(): void {
    clearTimeout(this.timer);
    this.caller.removeEventListener("abort", this);
  }
}

const ONCE = { once: true } as const;
const ignore = () => {};

function expire(controller: AbortController, reject: (e: KitError) => void, info: EndpointInfo): void {
  const error = expired(info);
  reject(error); // first, so that the race sees the deadline before any abort-driven failure
  controller.abort(error);
}

/** The stream, failing with DeadlineExceeded as soon as the deadline passes; the watch stops when it ends. */
function streamWithin<T>(source: AsyncIterable<T>, watch: Watch): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      const it = source[Symbol.asyncIterator]();
      let finished = false;
      try {
        for (;;) {
          const step = await Promise.race([it.next(), watch.passed]);
          if (step.done) {
            finished = true;
            return;
          }
          yield step.value;
        }
      } finally {
        watch.stop();
        // Ended by the deadline, an error or the consumer leaving: close the
        // source without waiting for it (a handler past its deadline may hang).
        if (!finished) void it.return?.()?.catch(() => {});
      }
    },
  };
}
