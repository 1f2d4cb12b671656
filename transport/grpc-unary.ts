// The unary gRPC fast path: service-to-service calls (unary gRPC over h2c)
// served without connect-node's per-call machinery (three linked
// AbortControllers, async generators through ES2017 helpers, web Headers).
//
//   serveService registers each unary method:  registerUnaryRoute(router, { method, maxRequestBytes, context, invoke })
//   startServer puts it in front of connect:   const fast = unaryFastPath(router, { shutdownSignal, log });
//                                              if (!fast.handle(req, res)) rpc(req, res);
//
// It takes a request only when it is HTTP/2, POST, `content-type:
// application/grpc` or `application/grpc+proto`, without a grpc-encoding (or
// "identity"), to the path of a unary method served with serveService.
// Everything else (Connect, gRPC-Web, +json, compressed requests, streams,
// health Watch, reflection, unknown paths) falls through to connect-node
// unchanged. What the caller sees is what connect-node answers:
// - the Context is built by the same function (transport/context.ts), from
//   the same headers: request id (echoed), traceparent, bearer token →
//   principal, `grpc-timeout` (parsed by connect's parseTimeout) → deadline;
//   the signal fires when the caller resets the stream, when the deadline
//   passes (DEADLINE_EXCEEDED) and when the server's grace period ends
//   (UNAVAILABLE), and, like connect's, once the call is over;
// - the caller is authenticated BEFORE the body is read: a refused caller
//   never gets a byte parsed;
// - one length-prefixed message, at most the method's max_request_bytes
//   (RESOURCE_EXHAUSTED as soon as the prefix announces more); none, more
//   than one, an incomplete one, the compressed flag, or bytes protobuf cannot
//   parse are INVALID_ARGUMENT (transport/decode-errors.ts words them);
// - the endpoint's error leaves through the same toConnectError, and status,
//   message, details (grpc-status-details-bin) and metadata are written into
//   the trailers by connect's own setTrailerStatus.
// Answers are never compressed (a server may always answer uncompressed;
// internal callers ask for no compression anyway: transport/client.ts).
import type * as http2 from "node:http2";
import { constants as h2 } from "node:http2";
import { create, fromBinary, toBinary, type DescMethod } from "@bufbuild/protobuf";
import { Code, ConnectError, type ConnectRouter } from "@connectrpc/connect";
import { parseTimeout, setTrailerStatus } from "@connectrpc/connect/protocol-grpc";
import type { Logger } from "pino";
import type { Context } from "../endpoints/context.js";
import type { IncomingCall, IncomingRequest } from "./context.js";
import { undecodable } from "./decode-errors.js";
import type { RequestHandler } from "./http-listener.js";

/** What serveService registers for a unary method: the same Context building and endpoint connect-node runs. */
export interface UnaryRoute {
  readonly method: DescMethod;
  readonly maxRequestBytes: number;
  /** Builds the call's Context (authentication included); rejects with the ConnectError to answer. */
  context(call: IncomingRequest): Promise<Context>;
  /** Runs the endpoint; rejects with the ConnectError to answer. */
  invoke(ctx: Context, req: unknown): Promise<unknown>;
}

const ROUTES = new WeakMap<ConnectRouter, Map<string, UnaryRoute>>();

export function registerUnaryRoute(router: ConnectRouter, route: UnaryRoute): void {
  let routes = ROUTES.get(router);
  if (!routes) ROUTES.set(router, (routes = new Map()));
  routes.set(`/${route.method.parent.typeName}/${route.method.name}`, route);
}

export interface UnaryFastPathOptions {
  /** Aborts every call in flight (the server's grace period is over). */
  shutdownSignal: AbortSignal;
  /** For what must never happen: the fast path itself failing. */
  log: Logger;
}

export interface UnaryFastPath {
  /** Serves the request and returns true, or returns false: connect-node's. */
  handle(...args: Parameters<RequestHandler>): boolean;
  /** How many calls it took (tests prove which path served a call with it). */
  readonly calls: number;
}

const GRPC_PROTO = /^application\/grpc(?:\+proto)?$/i;
const RESPONSE_CONTENT_TYPE = "application/grpc+proto";
/** connect's grpc-timeout ceiling when none is configured. */
const MAX_TIMEOUT_MS = Number.MAX_SAFE_INTEGER;
const PREFIX_BYTES = 5;
const COMPRESSED_FLAG = 0b1;
/** The signal's reason once the call is over (connect aborts it then too); shared, as it is never answered. */
const CALL_OVER = new DOMException("the call is over", "AbortError");

export function unaryFastPath(router: ConnectRouter, opts: UnaryFastPathOptions): UnaryFastPath {
  const routes = ROUTES.get(router) ?? new Map<string, UnaryRoute>();
  const inFlight = new Set<FastCall>();
  opts.shutdownSignal.addEventListener(
    "abort",
    () => {
      for (const call of inFlight) call.abort(opts.shutdownSignal.reason);
    },
    { once: true },
  );
  let calls = 0;
  return {
    get calls() {
      return calls;
    },
    handle(req, res) {
      if (!("stream" in req) || req.method !== "POST") return false;
      const route = routes.get(req.url);
      if (route === undefined || !GRPC_PROTO.test(req.headers["content-type"] ?? "")) return false;
      const encoding = req.headers["grpc-encoding"];
      if (encoding !== undefined && encoding !== "identity") return false;
      calls++;
      const h2res = res as http2.Http2ServerResponse;
      serve(route, new FastCall(route.method, req, h2res, inFlight)).catch((err: unknown) => {
        opts.log.error({ err, procedure: req.url }, "the gRPC fast path failed; the stream is reset");
        h2res.stream.close(h2.NGHTTP2_INTERNAL_ERROR);
      });
      return true;
    },
  };
}

async function serve(route: UnaryRoute, call: FastCall): Promise<void> {
  try {
    const timeout = parseTimeout(call.header("grpc-timeout"), MAX_TIMEOUT_MS);
    if (timeout.error) throw timeout.error;
    call.startDeadline(timeout.timeoutMs);
    const ctx = await route.context(call);
    const bytes = await call.readMessage(route.maxRequestBytes);
    let req: unknown;
    try {
      req = fromBinary(route.method.input, bytes);
    } catch (e) {
      throw undecodable(`parse binary: ${e instanceof Error ? e.message : String(e)}`);
    }
    const res = await route.invoke(ctx, req);
    call.answer(toBinary(route.method.output, create(route.method.output, res as never)));
  } catch (e) {
    call.fail(e instanceof ConnectError ? e : new ConnectError("internal error", Code.Internal, undefined, undefined, e));
  }
}

/** One call on the fast path: the IncomingRequest the Context is built from, and its answer. */
class FastCall implements IncomingRequest {
  private readonly controller = new AbortController();
  private readonly responseHeaders: Record<string, string | string[]> = { "content-type": RESPONSE_CONTENT_TYPE };
  /** authenticateCall's view, only when it asked for one. */
  private call: IncomingCall | undefined;
  private deadlineAt: number | undefined;
  private timer: NodeJS.Timeout | undefined;
  private requestEnded = false;
  private answered = false;
  private closed = false;

  constructor(
    readonly method: DescMethod,
    private readonly req: http2.Http2ServerRequest,
    private readonly res: http2.Http2ServerResponse,
    private readonly inFlight: Set<FastCall>,
  ) {
    inFlight.add(this);
    req.stream.once("close", this.onClose);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get socketAddress(): string | undefined {
    return this.req.socket?.remoteAddress;
  }

  header(name: string): string | null {
    const value = this.req.headers[name];
    if (value === undefined) return null;
    return Array.isArray(value) ? value.join(", ") : value;
  }

  timeoutMs(): number | undefined {
    return this.deadlineAt === undefined ? undefined : this.deadlineAt - Date.now();
  }

  setResponseHeader(name: string, value: string): void {
    this.responseHeaders[name] = value;
  }

  incomingCall(): IncomingCall {
    if (!this.call) {
      const requestHeader = new Headers();
      for (const [name, value] of Object.entries(this.req.headers)) {
        if (name.startsWith(":") || value === undefined) continue;
        for (const v of Array.isArray(value) ? value : [value]) requestHeader.append(name, v);
      }
      this.call = { method: this.method, requestHeader, responseHeader: new Headers() };
    }
    return this.call;
  }

  startDeadline(timeoutMs: number | undefined): void {
    if (timeoutMs === undefined) return;
    this.deadlineAt = Date.now() + timeoutMs;
    const expire = () => this.abort(new ConnectError("the operation timed out", Code.DeadlineExceeded));
    if (timeoutMs <= 0) expire();
    else this.timer = setTimeout(expire, timeoutMs);
  }

  abort(reason: unknown): void {
    if (!this.controller.signal.aborted) this.controller.abort(reason);
  }

  /** The request's one message, without its prefix; rejects with the ConnectError to answer. */
  readMessage(maxBytes: number): Promise<Uint8Array> {
    const req = this.req;
    const signal = this.controller.signal;
    return new Promise((resolve, reject) => {
      const chunks: Buffer[] = [];
      let received = 0;
      let declared = -1;
      const settle = (error: unknown, message?: Uint8Array) => {
        req.off("data", onData);
        req.off("end", onEnd);
        signal.removeEventListener("abort", onAbort);
        if (error === undefined) resolve(message!);
        else reject(error);
      };
      const onData = (chunk: Buffer) => {
        chunks.push(chunk);
        received += chunk.length;
        if (declared < 0 && received >= PREFIX_BYTES) {
          const head = chunks.length === 1 ? chunk : Buffer.concat(chunks);
          declared = head.readUInt32BE(1);
          if (declared > maxBytes) {
            settle(new ConnectError(`message size ${declared} is larger than configured readMaxBytes ${maxBytes}`, Code.ResourceExhausted));
          }
        }
        if (declared >= 0 && received > PREFIX_BYTES + declared) {
          settle(undecodable("protocol error: received extra input message for unary method"));
        }
      };
      const onEnd = () => {
        this.requestEnded = true;
        if (received === 0) return settle(undecodable("protocol error: missing input message for unary method"));
        if (declared < 0 || received < PREFIX_BYTES + declared) return settle(undecodable("protocol error: incomplete envelope"));
        const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
        if ((body[0]! & COMPRESSED_FLAG) !== 0) {
          return settle(undecodable("received compressed envelope, but do not know how to decompress"));
        }
        settle(undefined, body.subarray(PREFIX_BYTES));
      };
      const onAbort = () => settle(signal.reason);
      if (signal.aborted) return onAbort();
      signal.addEventListener("abort", onAbort);
      req.on("data", onData);
      req.once("end", onEnd);
    });
  }

  answer(message: Uint8Array): void {
    if (!this.canAnswer()) return;
    const frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
    frame[0] = 0;
    frame.writeUInt32BE(message.length, 1);
    frame.set(message, PREFIX_BYTES);
    this.res.writeHead(200, this.headers());
    this.res.addTrailers({ "grpc-status": "0" });
    this.res.end(frame);
  }

  fail(error: ConnectError): void {
    if (!this.canAnswer()) return;
    const trailers: Record<string, string> = {};
    setTrailerStatus(new Headers(), error).forEach((value, name) => (trailers[name] = value));
    this.res.writeHead(200, this.headers());
    this.res.addTrailers(trailers);
    this.res.end();
  }

  private canAnswer(): boolean {
    if (this.answered || this.closed || this.res.stream.destroyed) return false;
    this.answered = true;
    if (!this.requestEnded) this.stopCallerSending();
    return true;
  }

  /**
   * Answered before the caller finished sending (refused early): once the
   * trailers are out, reset the stream with NO_ERROR so that the caller stops,
   * as connect-node does (Node sends trailers on setImmediate after
   * wantTrailers, so a setImmediate queued here runs after it).
   */
  private stopCallerSending(): void {
    const stream = this.res.stream;
    stream.once("wantTrailers", () =>
      setImmediate(() => {
        if (stream.state.remoteClose === 0) stream.close(h2.NGHTTP2_NO_ERROR);
      }),
    );
  }

  private headers(): Record<string, string | string[]> {
    const extra = this.call?.responseHeader;
    if (!extra) return this.responseHeaders;
    const cookies = extra.getSetCookie();
    extra.forEach((value, name) => {
      if (name !== "set-cookie") this.responseHeaders[name] = value;
    });
    if (cookies.length > 0) this.responseHeaders["set-cookie"] = cookies;
    return this.responseHeaders;
  }

  private readonly onClose = () => {
    this.closed = true;
    this.inFlight.delete(this);
    clearTimeout(this.timer);
    const rst = this.req.stream.rstCode;
    this.abort(
      this.answered || rst === undefined || rst === h2.NGHTTP2_NO_ERROR
        ? CALL_OVER
        : new ConnectError(`the caller reset the stream (HTTP/2 error code 0x${rst.toString(16)})`, Code.Canceled),
    );
  };
}
