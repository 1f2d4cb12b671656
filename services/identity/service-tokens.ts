// A service's own identity for background work (consumers, schedulers) — a
// library for OTHER services, like verifier.ts. Exchanges the service's own
// secret (its credential at identity) for a token at identity (IssueServiceToken), caches it, and fetches
// a new one a minute before it expires (keeping the old one while that
// fails and it has not expired). Concurrent callers share one fetch.
//
//   const tokens = serviceTokens({ identity, serviceName: "sellers", secret: cfg.serviceSecret });
//   const ctx = backgroundContext({ log, principal: await tokens.principal(ctx0) });
import type { Context, Principal } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import type { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";

/** The secret service `name` uses when SERVICE_SECRET is not set (one machine, development): distinct per service. */
export function developmentServiceSecret(name: string): string {
  return `itinera-development-service-secret-${name}`;
}

export interface ServiceTokensOptions {
  identity: Client<typeof IdentityService>;
  serviceName: string;
  secret: string;
  /** Renew this long before expiry. Default 60 s. */
  renewBeforeMs?: number;
  now?: () => number;
}

export interface ServiceTokens {
  /** The service's principal, with a token valid for at least renewBeforeMs. */
  principal(ctx: Context): Promise<Principal>;
}

export function serviceTokens(opts: ServiceTokensOptions): ServiceTokens {
  const now = opts.now ?? Date.now;
  const renewBeforeMs = opts.renewBeforeMs ?? 60_000;
  let current: { principal: Principal; expiresAt: number } | undefined;
  let fetching: Promise<Principal> | undefined;
  const fetchToken = (ctx: Context) =>
    (fetching ??= opts.identity
      .issueServiceToken(ctx, { serviceName: opts.serviceName, secret: opts.secret })
      .then((res) => {
        const principal: Principal = { kind: "service", id: opts.serviceName, roles: [], token: res.accessToken };
        current = { principal, expiresAt: now() + res.expiresInSeconds * 1000 };
        return principal;
      })
      .finally(() => {
        fetching = undefined;
      }));
  return {
    async principal(ctx) {
      if (current && current.expiresAt - now() > renewBeforeMs) return current.principal;
      try {
        return await fetchToken(ctx);
      } catch (e) {
        // Renewal failed (identity briefly down): the current token still works until it expires.
        if (current && current.expiresAt > now()) return current.principal;
        throw e;
      }
    },
  };
}
