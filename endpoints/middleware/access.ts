// Access: the server refuses a call whose principal the method does not
// accept, before any other work. Who may call a method is declared in its
// contract — the (itinera.options.v1.access) option, read once at wiring
// time — and the transport put the verified principal in the Context.
//   no principal where one is needed        → Unauthenticated
//   a customer where a service is needed    → PermissionDenied (and vice versa)
// Ownership (a customer reading only their own data) is the service's rule,
// not this middleware's: see customerOf.
import type { Context, Principal } from "../context.js";
import type { Middleware, MethodAccess } from "../endpoint.js";
import { permissionDenied, unauthenticated } from "../errors.js";

const NEEDS: Record<Exclude<MethodAccess, "public">, { kinds: Principal["kind"][]; who: string }> = {
  customer: { kinds: ["customer"], who: "a signed-in customer" },
  service: { kinds: ["service"], who: "a service identity" },
  customer_or_service: { kinds: ["customer", "service"], who: "a signed-in customer or a service identity" },
};

export function access(): Middleware {
  return (next, info) => {
    if (info.side !== "server" || info.access === "public") return next;
    const need = NEEDS[info.access];
    return (ctx, req) => {
      const p = ctx.principal;
      if (!p) return Promise.reject(unauthenticated(`${info.name} needs ${need.who}: send "authorization: Bearer <access token>"`));
      if (!need.kinds.includes(p.kind)) return Promise.reject(permissionDenied(`${info.name} needs ${need.who}`));
      return next(ctx, req);
    };
  };
}

/**
 * The customer a call is for: the signed-in customer, or — when a service
 * calls — `onBehalfOf` (the customer id the request names). A service method
 * uses it to scope every read and write to that customer.
 */
export function customerOf(ctx: Context, onBehalfOf?: string): string {
  const p = ctx.principal;
  if (p?.kind === "customer") return p.id;
  if (p?.kind === "service" && onBehalfOf) return onBehalfOf;
  throw unauthenticated("this call needs a signed-in customer");
}
