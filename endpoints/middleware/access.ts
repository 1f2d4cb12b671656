// Access: the server refuses a call whose principal the method does not
// accept, before any other work. Who may call a method is declared in its
// contract — the (itinera.options.v1.callers) option, read once at wiring
// time — and the transport put the verified principal in the Context.
//   a method that declares no callers          → PermissionDenied, for everyone
//   no principal where one is needed           → Unauthenticated
//   a customer where only services are named   → PermissionDenied
//   a service the method does not name         → PermissionDenied
//   a person without the operator role where the contract names only
//   operators (callers.operator)                → PermissionDenied
// Each refusal names who may call. Ownership (a customer reading only their
// own data) is the service's rule, not this middleware's: see customerOf.
import type { Context, Principal } from "../context.js";
import type { MethodCallers, Middleware } from "../endpoint.js";
import { notFound, permissionDenied, unauthenticated } from "../errors.js";

/** "a signed-in customer or the services search, web": who a method's contract lets in. */
function describeCallers(c: MethodCallers): string {
  if (c.anyone) return "anyone";
  const who: string[] = [];
  if (c.customer) who.push("a signed-in customer");
  if (c.operator) who.push("a signed-in operator");
  if (c.services.length > 0) who.push(`${c.services.length === 1 ? "the service" : "the services"} ${c.services.join(", ")}`);
  return who.join(" or ") || "nobody";
}

/** Whether the contract lets this principal call. */
function admits(c: MethodCallers, p: Principal | undefined): boolean {
  if (c.anyone) return true;
  if (p?.kind === "customer") return c.customer || (c.operator && isOperator(p));
  if (p?.kind === "service") return c.services.includes(p.id);
  return false;
}

/** The role identity puts in the access token of a person who operates the marketplace. */
export const OPERATOR_ROLE = "operator";

/** A signed-in person with the operator role (never a service: services are named one by one). */
export function isOperator(p: Principal | undefined): boolean {
  return p?.kind === "customer" && p.roles.includes(OPERATOR_ROLE);
}

export function access(): Middleware {
  return (next, info) => {
    if (info.side !== "server") return next;
    const callers = info.callers;
    if (!callers) {
      const refusal = `${info.service}/${info.name} declares no callers in its contract, so nobody may call it: add option (itinera.options.v1.callers)`;
      return () => Promise.reject(permissionDenied(refusal));
    }
    if (callers.anyone) return next;
    const who = describeCallers(callers);
    return (ctx, req) => {
      const p = ctx.principal;
      if (!p) return Promise.reject(unauthenticated(`${info.name} may be called by ${who}: send "authorization: Bearer <access token>"`));
      if (!admits(callers, p)) {
        const caller = p.kind === "service" ? `the service ${JSON.stringify(p.id)}` : callers.operator ? "a customer without the operator role" : "a customer";
        return Promise.reject(permissionDenied(`${info.name} may be called by ${who}, not by ${caller}`));
      }
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

/**
 * Ownership of what a request names by its owner's id: a customer reaches
 * only their own — another customer's answers NOT_FOUND with `unknown`, the
 * very answer an id that does not exist gets, so ids cannot be probed — and a
 * service the contract admitted reaches any customer's.
 */
export function requireOwnedBy(ctx: Context, ownerId: string, unknown: string): void {
  const p = ctx.principal;
  if (p?.kind === "service") return;
  if (p?.kind !== "customer") throw unauthenticated("this call needs a signed-in customer or a service");
  if (p.id !== ownerId) throw notFound(unknown);
}
