// Who a call is sent as. A client's calls carry the Context's principal by
// default (a customer's token travels on). A service calling a peer for
// itself — the peer's contract names the service, not the customer — sends
// its own identity instead: callAs, in the client stack, sets the principal
// `principalOf` picks for each call (the service token, fetched and cached by
// identity's serviceTokens; or the customer when there is one, the service
// otherwise). asPrincipal does the same for a service's own endpoints called
// in process (its scheduler, its webhook route): nothing leaves the process.
import { derive, type Context, type Principal } from "../context.js";
import type { Middleware } from "../endpoint.js";
import type { EndpointSet } from "../service.js";

export type PrincipalOf = (ctx: Context) => Promise<Principal>;

/** Client side only: every call is sent as `principalOf(ctx)`. */
export function callAs(principalOf: PrincipalOf): Middleware {
  return (next, info) => {
    if (info.side !== "client") return next;
    return async (ctx, req) => next(derive(ctx, { principal: await principalOf(ctx) }), req);
  };
}

/** The same endpoints, each called as `principal` whatever the caller's Context carries. */
export function asPrincipal(endpoints: EndpointSet, principal: Principal): EndpointSet {
  return new Map(
    [...endpoints].map(([name, { info, endpoint }]) => [name, { info, endpoint: (ctx, req) => endpoint(derive(ctx, { principal }), req) }]),
  );
}
