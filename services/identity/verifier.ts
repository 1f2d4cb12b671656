// Access-token verification for OTHER services (a library, not identity's
// service code): verifies identity's EdDSA JWTs locally against its public
// keys, fetched from the JWKS endpoint (or any key source) and cached; a
// token whose kid is unknown triggers one refetch (key rotation). A remote
// key set is fetched as soon as the verifier exists (retried each second for
// a minute while identity is not up yet), so that a service's first
// authenticated call does not pay the fetch inside its caller's budget.
// A token once verified is taken as verified again for a minute (never past
// its expiry) without checking its signature: a service calling another
// sends the same token on every call, and an EdDSA verification costs more
// than the rest of a small call. The price: a signing key withdrawn from the
// key set still lets the tokens it signed through for that minute.
//
//   const verify = tokenVerifier({ jwksUrl: "http://127.0.0.1:7001/.well-known/jwks.json" });
//   serveService(router, BookingService, endpoints, { log, authenticate: bearerAuthenticator(verify) });
import {
  createLocalJWKSet,
  createRemoteJWKSet,
  errors,
  jwtVerify,
  type JSONWebKeySet,
  type JWTVerifyGetKey,
} from "jose";
import type { Principal } from "../../endpoints/context.js";
import { KitError, unauthenticated, unavailable } from "../../endpoints/errors.js";
import type { Authenticate } from "../../transport/context.js";

export interface TokenVerifierOptions {
  /**
   * identity's GET /.well-known/jwks.json; one per replica of identity when it
   * has several (each is asked in turn until one answers). One of jwksUrl and getKeys.
   */
  jwksUrl?: string | URL | readonly (string | URL)[];
  /** Any other source of the JWK set (e.g. IdentityService.GetJwks). */
  getKeys?: () => Promise<JSONWebKeySet>;
  /** Default "itinera-identity". */
  issuer?: string;
  /** Default "itinera". */
  audience?: string;
  /** How long a fetched key set is used before fetching again. Default 10 min. */
  cacheMs?: number;
  /** Least time between two fetches caused by unknown kids. Default 30 s. */
  cooldownMs?: number;
  /** How long a verified token is taken as verified without checking it again (never past its expiry). Default 60 s; 0: never. */
  verifiedMs?: number;
  /** Verified tokens remembered; the oldest go first. Default 10,000. */
  verifiedEntries?: number;
  /** The clock for expiry checks (tests). */
  now?: () => Date;
}

const PREFETCH_TRIES = 60;
const PREFETCH_INTERVAL_MS = 1_000;

/** Loads a remote key set now, retrying each second while it fails; gives up quietly (the first verify fetches again). */
function prefetch(keys: { reload(): Promise<void> }, triesLeft = PREFETCH_TRIES): void {
  keys.reload().catch(() => {
    if (triesLeft > 1) setTimeout(() => prefetch(keys, triesLeft - 1), PREFETCH_INTERVAL_MS).unref();
  });
}

/** Verifies a bearer token; throws unauthenticated(...) when it is not valid, unavailable(...) when the keys cannot be fetched. */
export type VerifyToken = (token: string) => Promise<Principal>;

export function tokenVerifier(opts: TokenVerifierOptions): VerifyToken {
  const cacheMs = opts.cacheMs ?? 10 * 60_000;
  const cooldownMs = opts.cooldownMs ?? 30_000;
  let keys: JWTVerifyGetKey;
  if (opts.jwksUrl) {
    const remotes = (Array.isArray(opts.jwksUrl) ? opts.jwksUrl : [opts.jwksUrl as string | URL]).map((u) =>
      createRemoteJWKSet(new URL(u), { cacheMaxAge: cacheMs, cooldownDuration: cooldownMs }),
    );
    remotes.forEach((remote) => prefetch(remote));
    keys = remotes.length === 1 ? remotes[0]! : firstAnswering(remotes);
  } else {
    keys = cachedKeySet(required(opts.getKeys), cacheMs, cooldownMs);
  }
  const issuer = opts.issuer ?? "itinera-identity";
  const audience = opts.audience ?? "itinera";
  const verified = verifiedTokens(opts.verifiedMs ?? 60_000, opts.verifiedEntries ?? 10_000, () => opts.now?.().getTime() ?? Date.now());
  return async (token) => {
    if (token === "") throw unauthenticated("no access token");
    const known = verified.get(token);
    if (known) return known;
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer,
        audience,
        algorithms: ["EdDSA", "Ed25519"],
        requiredClaims: ["sub", "exp"],
        ...(opts.now ? { currentDate: opts.now() } : {}),
      });
      const roles = Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === "string") : [];
      const principal: Principal = { kind: payload.kind === "service" ? "service" : "customer", id: payload.sub!, roles, token };
      verified.set(token, principal, payload.exp! * 1000);
      return principal;
    } catch (e) {
      throw asAuthError(e);
    }
  };
}

/**
 * The transport's Authenticate for `serveService(..., { authenticate })`: no
 * authorization header → no principal (each method decides whether it needs
 * one); `Bearer <token>` → the verified principal; anything else → Unauthenticated.
 */
export function bearerAuthenticator(verify: VerifyToken): Authenticate {
  return async (authorization) => {
    if (authorization === undefined) return undefined;
    const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
    if (!match) throw unauthenticated("the authorization header must be \"Bearer <access token>\"");
    return verify(match[1]!);
  };
}

/**
 * Identity's own Authenticate: its own keys, no fetch. A token it cannot
 * accept counts as no token, so that the public methods work whatever header
 * a client sends (Refresh is called exactly when the access token has
 * expired); the methods that need a principal still refuse such a call.
 */
export function ownTokenAuthenticator(jwks: () => JSONWebKeySet): Authenticate {
  const authenticate = bearerAuthenticator(tokenVerifier({ getKeys: async () => jwks() }));
  return (authorization) => authenticate(authorization).catch(() => undefined);
}

/** Principals of tokens verified lately, each until `ms` after its verification or its expiry, whichever is first. */
function verifiedTokens(ms: number, entries: number, now: () => number) {
  const known = new Map<string, { principal: Principal; until: number }>();
  return {
    get(token: string): Principal | undefined {
      const entry = known.get(token);
      if (entry === undefined) return undefined;
      if (entry.until > now()) return entry.principal;
      known.delete(token);
      return undefined;
    },
    set(token: string, principal: Principal, expiresAt: number) {
      if (ms <= 0) return;
      known.set(token, { principal, until: Math.min(now() + ms, expiresAt) });
      if (known.size > entries) known.delete(known.keys().next().value!);
    },
  };
}

/** The keys of the first replica that answers: one that cannot be reached (a fetch that failed or timed out) passes the turn. */
function firstAnswering(sets: JWTVerifyGetKey[]): JWTVerifyGetKey {
  return async (header, token) => {
    let unreachable: unknown;
    for (const set of sets) {
      try {
        return await set(header, token);
      } catch (e) {
        if (e instanceof errors.JOSEError && !(e instanceof errors.JWKSTimeout)) throw e;
        unreachable = e;
      }
    }
    throw unreachable;
  };
}

function required<T>(value: T | undefined): T {
  if (value === undefined) throw new Error("tokenVerifier needs jwksUrl or getKeys");
  return value;
}

/** getKeys, cached for cacheMs; an unknown kid refetches at most once per cooldownMs. */
function cachedKeySet(getKeys: () => Promise<JSONWebKeySet>, cacheMs: number, cooldownMs: number): JWTVerifyGetKey {
  let current: { set: JWTVerifyGetKey; fetchedAt: number } | undefined;
  let fetching: Promise<JWTVerifyGetKey> | undefined;
  const fetchSet = () =>
    (fetching ??= getKeys()
      .then((jwks) => {
        current = { set: createLocalJWKSet(jwks), fetchedAt: Date.now() };
        return current.set;
      })
      .finally(() => {
        fetching = undefined;
      }));
  return async (header, token) => {
    const fresh = current && Date.now() - current.fetchedAt < cacheMs ? current : undefined;
    const set = fresh ? fresh.set : await fetchSet();
    try {
      return await set(header, token);
    } catch (e) {
      if (!(e instanceof errors.JWKSNoMatchingKey) || !current || Date.now() - current.fetchedAt < cooldownMs) throw e;
      return (await fetchSet())(header, token);
    }
  };
}

function asAuthError(e: unknown): KitError {
  if (e instanceof KitError) return e;
  if (e instanceof errors.JWTExpired) return unauthenticated("the access token has expired");
  if (e instanceof errors.JWSSignatureVerificationFailed) return unauthenticated("the access token's signature is not valid");
  if (e instanceof errors.JWKSNoMatchingKey) return unauthenticated("the access token was signed by an unknown key");
  if (e instanceof errors.JWTClaimValidationFailed) return unauthenticated(`the access token is not valid: ${e.message}`);
  if (e instanceof errors.JWKSTimeout || e instanceof errors.JWKSInvalid) return unavailable("the token signing keys cannot be fetched", e);
  if (e instanceof errors.JOSEError) return unauthenticated("the access token is malformed");
  return unavailable("the token signing keys cannot be fetched", e);
}
