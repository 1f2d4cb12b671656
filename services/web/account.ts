// Sign-up, its e-mailed link, sign-in, sign-out and "who is this": identity
// does the work, the session port makes the tokens the browser's session.
// Sign-up signs nobody in and answers the same whatever the address: the
// link (VerifyEmail) does. The customer is always
// the principal the transport verified, never a request field.
//
// Display names: identity's tokens carry only the customer id, so the name
// comes from identity.GetCustomer (a services-only
// method, called as the BFF itself) — kept in a small cache so that
// GetSession, called on every page load, does not ask identity each time. A
// name identity cannot give now is an empty name, not a failed call.
//
// Sign-in goes to identity as the BFF itself with the browser's address, so
// that identity throttles guessing per browser rather than per BFF. Sign-out
// revokes the session's refresh-token family at identity before the cookies
// go: if identity cannot be reached, the browser stays signed in and is told
// to try again, rather than leaving behind a token that still works.
import { derive, type Context } from "../../endpoints/context.js";
import { Code, internal, KitError, unavailable } from "../../endpoints/errors.js";
import { isOperator } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import type { Tokens } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { sessionOf, type WebServiceDeps } from "./deps.js";

type Account = Pick<Service<typeof WebService>, "signUp" | "verifyEmail" | "signIn" | "signOut" | "getSession">;

/** Names by customer id, each kept `ttlMs`, at most `max` (least recently used dropped first). */
export class DisplayNames {
  private readonly names = new Map<string, { name: string; at: number }>();

  constructor(
    private readonly lookup: (ctx: Context, customerId: string) => Promise<string>,
    private readonly now: () => number,
    private readonly ttlMs = 10 * 60_000,
    private readonly max = 10_000,
  ) {}

  private remember(customerId: string, name: string): void {
    this.names.delete(customerId);
    this.names.set(customerId, { name, at: this.now() });
    for (const key of this.names.keys()) {
      if (this.names.size <= this.max) break;
      this.names.delete(key);
    }
  }

  async of(ctx: Context, customerId: string): Promise<string> {
    const kept = this.names.get(customerId);
    if (kept && this.now() - kept.at < this.ttlMs) return kept.name;
    try {
      const name = await this.lookup(ctx, customerId);
      this.remember(customerId, name);
      return name;
    } catch (e) {
      ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "display name not available");
      return kept?.name ?? "";
    }
  }
}

export function account(deps: WebServiceDeps, now: () => number): Account {
  const names = new DisplayNames(async (ctx, customerId) => {
    const asService = derive(ctx, { principal: await deps.servicePrincipal(ctx) });
    return (await deps.identity.getCustomer(asService, { customerId })).displayName;
  }, now);

  return {
    async signUp(ctx, req) {
      await deps.identity.signUp(ctx, { email: req.email, password: req.password, displayName: req.displayName });
      ctx.log.info("sign-up answered: the next step is in the e-mail");
      return { csrfToken: sessionOf(ctx).csrfToken() };
    },

    async verifyEmail(ctx, req) {
      const session = sessionOf(ctx);
      const res = await deps.identity.verifyEmail(ctx, { token: req.token });
      const csrfToken = session.begin(tokensOf(res.tokens));
      ctx.log.info({ customer_id: res.customerId }, "address confirmed, signed in");
      return { customer: { customerId: res.customerId, displayName: await names.of(ctx, res.customerId) }, csrfToken };
    },

    async signIn(ctx, req) {
      const session = sessionOf(ctx);
      const asService = derive(ctx, { principal: await deps.servicePrincipal(ctx) });
      const res = await deps.identity.signIn(asService, { email: req.email, password: req.password, clientAddress: ctx.clientAddress ?? "" });
      const csrfToken = session.begin(tokensOf(res.tokens));
      ctx.log.info({ customer_id: res.customerId }, "signed in");
      return { customer: { customerId: res.customerId, displayName: await names.of(ctx, res.customerId) }, csrfToken };
    },

    async signOut(ctx) {
      const session = sessionOf(ctx);
      const refreshToken = session.refreshToken();
      if (refreshToken !== undefined) {
        await deps.identity.signOut(ctx, { refreshToken }).catch((e: unknown) => {
          // A cookie identity cannot even read (INVALID_ARGUMENT) is no session to revoke.
          if (e instanceof KitError && e.code === Code.InvalidArgument) return;
          throw unavailable("Signing out did not finish: please try again in a moment.", e);
        });
      }
      session.end();
      ctx.log.info("signed out");
      return {};
    },

    async getSession(ctx) {
      const session = sessionOf(ctx);
      const p = ctx.principal;
      // The roles are read from the verified token of this call: the app asks again after signing in.
      const customer = p?.kind === "customer" ? { customerId: p.id, displayName: await names.of(ctx, p.id), operator: isOperator(p) } : undefined;
      return { ...(customer ? { customer } : {}), csrfToken: session.csrfToken() };
    },
  };
}

function tokensOf(tokens: Tokens | undefined): Tokens {
  if (!tokens?.accessToken) throw internal("identity answered without tokens");
  return tokens;
}
