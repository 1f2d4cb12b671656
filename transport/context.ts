// The kit Context on the wire, both directions.
//
//   contextFromHandler(hctx, { log, authenticate? }): Promise<Context>
//     server: Connect's HandlerContext → kit Context. signal = hctx.signal;
//     deadline = now + hctx.timeoutMs() (the caller's grpc-timeout /
//     connect-timeout-ms); requestId = `x-request-id` when well-formed, else a
//     new UUID, echoed in the response header; trace = `traceparent`;
//     principal = authenticate(authorization header) — undefined when no
//     authenticator is given; log = log.child({ request_id, trace_id }).
//
//   callOptionsOf(ctx): CallOptions
//     client: kit Context → Connect call options. signal; timeoutMs = what is
//     left of ctx.deadline (at least 1); headers x-request-id, traceparent and
//     `authorization: Bearer <token>` when the principal carries a token.
import type { CallOptions, HandlerContext } from "@connectrpc/connect";
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

export interface HandlerContextOptions {
  /** The server's logger; each call gets a child bound to its request id and trace id. */
  log: Logger;
  authenticate?: Authenticate;
}

/** A request id we accept from a caller: short, and safe to print in a log line. */
const WELL_FORMED_REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export async function contextFromHandler(hctx: HandlerContext, opts: HandlerContextOptions): Promise<Context> {
  const sent = hctx.requestHeader.get(REQUEST_ID_HEADER);
  const requestId = sent !== null && WELL_FORMED_REQUEST_ID.test(sent) ? sent : crypto.randomUUID();
  hctx.responseHeader.set(REQUEST_ID_HEADER, requestId);
  const timeoutMs = hctx.timeoutMs();
  const trace = parseTraceparent(hctx.requestHeader.get(TRACEPARENT_HEADER));
  const authorization = hctx.requestHeader.get(AUTHORIZATION_HEADER) ?? undefined;
  const log = opts.log.child(trace ? { request_id: requestId, trace_id: trace.traceId } : { request_id: requestId });
  return {
    signal: hctx.signal,
    deadline: timeoutMs === undefined ? undefined : Date.now() + timeoutMs,
    requestId,
    trace,
    principal: opts.authenticate ? await opts.authenticate(authorization) : undefined,
    log,
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
