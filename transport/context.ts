// The kit Context on the wire, both directions.
//
//   contextFromRequest(requestOfHandler(hctx), { log, authenticate? }): Promise<Context>
//     server: the incoming call (connect-node's HandlerContext, or the gRPC
//     fast path's own view of it) → kit Context. signal = the call's signal;
//     deadline = now + timeoutMs() (the caller's grpc-timeout /
//     connect-timeout-ms); requestId = `x-request-id` when well-formed, else a
//     new UUID, echoed in the response header; trace = `traceparent`;
//     principal = authenticate(authorization header) — undefined when no
//     authenticator is given; log = log.child({ request_id, trace_id });
//     clientAddress = the socket's remote address (startServer puts it in the
//     call's context values), or with `trustProxy` the address the proxy in
//     front appended to X-Forwarded-For. Then `authenticateCall`, when given,
//     sees the whole call (cookies, the method, the response headers) and
//     answers the Context to run it with (the web BFF's cookie sessions).
//
//   callOptionsOf(ctx): CallOptions
//     client: kit Context → Connect call options. signal; timeoutMs = what is
//     left of ctx.deadline (at least 1); headers x-request-id, traceparent and
//     `authorization: Bearer <token>` when the principal carries a token.
import type { DescMethod } from "@bufbuild/protobuf";
import { createContextKey, type CallOptions, type HandlerContext } from "@connectrpc/connect";
import type { Logger } from "pino";
import { parseTraceparent, traceparent, type Context, type Principal } from "../endpoints/context.js";

export const REQUEST_ID_HEADER = "x-request-id";
export const TRACEPARENT_HEADER = "traceparent";
export const AUTHORIZATION_HEADER = "authorization";

/**
 * Turns the raw `authorization` header (undefined when absent) into who is
 * calling; throws `unauthenticated(...)` for a credential it rejects. The
 * authentication issue provides one; until then no call has a principal.
 */
export type Authenticate = (authorization: string | undefined) => Promise<Principal | undefined>;

/** What `authenticateCall` sees of a call besides the Context built so far. */
export interface IncomingCall {
  readonly method: DescMethod;
  readonly requestHeader: Headers;
  /** Headers it sets (Set-Cookie) are sent with the answer, an error included. */
  readonly responseHeader: Headers;
}

/**
 * Authenticates a call from all of it (cookies, not only the authorization
 * header) and answers the Context to run it with: its principal set, and
 * whatever else the service's own transport attaches (derive keeps extra
 * fields). Throws a KitError to refuse the call.
 */
export type AuthenticateCall = (ctx: Context, call: IncomingCall) => Promise<Context>;

export interface HandlerContextOptions {
  /** The server's logger; each call gets a child bound to its request id and trace id. */
  log: Logger;
  authenticate?: Authenticate;
  /** Runs after `authenticate`, with the whole call. */
  authenticateCall?: AuthenticateCall;
  /**
   * A proxy we run sits in front: the caller's address is the last entry of
   * X-Forwarded-For (the one that proxy appended), not the socket's.
   */
  trustProxy?: boolean;
}

/** The socket's remote address of a call; startServer sets it for every call. */
export const CLIENT_ADDRESS = createContextKey<string | undefined>(undefined, { description: "client address" });

/**
 * What a server knows of an incoming call, whichever path serves it
 * (connect-node's HandlerContext, or the unary gRPC fast path reading the
 * HTTP/2 request itself: transport/grpc-unary.ts).
 */
export interface IncomingRequest {
  readonly method: DescMethod;
  /** A request header by its lower-case name; null when absent. */
  header(name: string): string | null;
  /** Milliseconds left of the caller's timeout (grpc-timeout, connect-timeout-ms); undefined: none. */
  timeoutMs(): number | undefined;
  /** Fires when the caller resets the call, the deadline passes or the server's grace period ends. */
  readonly signal: AbortSignal;
  /** The socket's remote address. */
  readonly socketAddress: string | undefined;
  setResponseHeader(name: string, value: string): void;
  /** The whole call as `authenticateCall` sees it (built only when one is given). */
  incomingCall(): IncomingCall;
}

/** The caller's address: the socket's, or with `trustProxy` the last X-Forwarded-For entry when there is one. */
function clientAddressOf(call: IncomingRequest, trustProxy = false): string | undefined {
  if (trustProxy) {
    const forwarded = call.header("x-forwarded-for");
    const last = forwarded?.split(",").at(-1)?.trim();
    if (last) return last;
  }
  return call.socketAddress;
}

/** A request id we accept from a caller: short, and safe to print in a log line. */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function contextFromRequest(call: IncomingRequest, opts: HandlerContextOptions): Promise<Context> {
  const sent = call.header(REQUEST_ID_HEADER);
  const requestId = sent !== null && WELL_FORMED_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
  call.setResponseHeader(REQUEST_ID_HEADER, requestId);
  const timeoutMs = call.timeoutMs();
  const trace = parseTraceparent(call.header(TRACEPARENT_HEADER));
  const authorization = call.header(AUTHORIZATION_HEADER) ?? undefined;
  const log = opts.log.child(trace ? { request_id: requestId, trace_id: trace.traceId } : { request_id: requestId });
  const clientAddress = clientAddressOf(call, opts.trustProxy);
  const ctx: Context = {
    signal: call.signal,
    deadline: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
    requestId,
    trace,
    principal: opts.authenticate ? await opts.authenticate(authorization) : undefined,
    log,
    ...(clientAddress === undefined ? {} : { clientAddress }),
  };
  if (!opts.authenticateCall) return ctx;
  return opts.authenticateCall(ctx, call.incomingCall());
}

/** connect-node's view of a call as an IncomingRequest. */
export function requestOfHandler(hctx: HandlerContext): IncomingRequest {
  return {
    method: hctx.method,
    header: (name) => hctx.requestHeader.get(name),
    timeoutMs: () => hctx.timeoutMs(),
    signal: hctx.signal,
    socketAddress: hctx.values.get(CLIENT_ADDRESS),
    setResponseHeader: (name, value) => hctx.responseHeader.set(name, value),
    incomingCall: () => ({ method: hctx.method, requestHeader: hctx.requestHeader, responseHeader: hctx.responseHeader }),
  };
}

export function callOptionsOf(ctx: Context, now = Date.now()): CallOptions {
  const headers = new Headers({ [REQUEST_ID_HEADER]: ctx.requestId });
  if (ctx.trace) headers.set(TRACEPARENT_HEADER, traceparent(ctx.trace));
  if (ctx.principal?.token) headers.set(AUTHORIZATION_HEADER, `Bearer ${ctx.principal.token}`);
  return {
    signal: ctx.signal,
    headers,
    ...(ctx.deadline === undefined ? {} : { timeoutMs: Math.max(1, Math.ceil(ctx.deadline - now)) }),
  };
}
