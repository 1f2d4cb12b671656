// The browser session on the wire (transport side, no business logic): the
// AuthenticateCall serveService runs before each call of the web service.
//
//  1. CSRF (double submit): a method that is not NO_SIDE_EFFECTS needs the
//     x-csrf-token header equal to the itinera_csrf cookie, else
//     PERMISSION_DENIED. SignUp and SignIn too: the page gets the cookie from
//     GetSession (its first call), and a request forged by another site
//     never carries this SameSite=Strict cookie — exempting calls without the
//     cookie would exempt exactly those (login CSRF). A caller sending
//     `authorization: Bearer` (curl, tests; never a browser on its own) is
//     not using ambient cookies, so it needs no CSRF token.
//  2. Who: the bearer token if sent; else the itinera_session cookie, verified
//     locally (identity's keys). Expired or absent with an itinera_refresh
//     cookie: identity.Refresh, new cookies on this response, the call goes on
//     signed in. Refresh tokens are single use, and a page sends several calls
//     at once with the same old cookie: one refresh per refresh token and
//     client address, its answer shared for REFRESH_GRACE_MS (a stolen cookie
//     replayed from elsewhere gets identity's refusal). A refresh identity refuses clears
//     the cookies (signed out); identity unreachable leaves them for the next
//     call and runs this one as a visitor — unless the method needs a
//     customer, which then answers UNAVAILABLE rather than "not signed in".
//  3. The session port (deps.ts SessionPort) the service uses to begin and
//     end sessions, writing Set-Cookie lines on this call's response.
import { timingSafeEqual } from "node:crypto";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import type { Context, Principal } from "../../endpoints/context.js";
import { derive } from "../../endpoints/context.js";
import { methodInfo } from "../../endpoints/endpoint.js";
import { Code, KitError, permissionDenied, unavailable } from "../../endpoints/errors.js";
import type { Tokens } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { AuthenticateCall, IncomingCall } from "../../transport/context.js";
import type { VerifyToken } from "../identity/verifier.js";
import { bearerAuthenticator } from "../identity/verifier.js";
import {
  CSRF_COOKIE,
  CSRF_HEADER,
  MONTH_SECONDS,
  newCsrfToken,
  parseCookies,
  REFRESH_COOKIE,
  ResponseCookies,
  SESSION_COOKIE,
} from "./cookies.js";
import type { SessionContext, SessionPort } from "./deps.js";

export const CSRF_MESSAGE = "This page is out of date or was opened from another site: please reload the page and try again.";
const REFRESH_GRACE_MS = 20_000;
const MAX_REFRESHES_KEPT = 10_000;

export interface WebSessionOptions {
  /** Verifies an access token locally (services/identity/verifier.ts tokenVerifier). */
  verify: VerifyToken;
  /** identity.Refresh: a new pair for a refresh token; throws unauthenticated when refused. */
  refresh: (ctx: Context, refreshToken: string) => Promise<Tokens>;
  /** Cookies are Secure (WEB_PUBLIC_URL is https). */
  secure: boolean;
  now?: () => number;
}

export function webSessions(opts: WebSessionOptions): AuthenticateCall {
  const now = opts.now ?? Date.now;
  const bearer = bearerAuthenticator(opts.verify);
  const refreshes = new Map<string, { tokens: Promise<Tokens>; at: number }>();

  /** One refresh per refresh token and address; its answer shared for a while (refusals are not kept). */
  function refreshOnce(ctx: Context, refreshToken: string): Promise<Tokens> {
    const key = `${ctx.clientAddress ?? ""}\n${refreshToken}`;
    const kept = refreshes.get(key);
    if (kept && now() - kept.at < REFRESH_GRACE_MS) return kept.tokens;
    const tokens = opts.refresh(ctx, refreshToken);
    refreshes.delete(key); // re-inserted last: the Map stays oldest first
    refreshes.set(key, { tokens, at: now() });
    tokens.catch(() => refreshes.delete(key));
    for (const [key, entry] of refreshes) {
      if (refreshes.size <= MAX_REFRESHES_KEPT && now() - entry.at < REFRESH_GRACE_MS) break;
      refreshes.delete(key);
    }
    return tokens;
  }

  async function fromCookies(ctx: Context, call: IncomingCall, cookies: Map<string, string>, jar: ResponseCookies) {
    const needsCustomer = methodInfo(call.method, "server").callers?.anyone !== true;
    const access = cookies.get(SESSION_COOKIE);
    if (access) {
      try {
        return await opts.verify(access);
      } catch (e) {
        if (!isCode(e, Code.Unauthenticated)) return unreachable(ctx, e, needsCustomer);
        // Expired (or not ours): a refresh may still sign the call in.
      }
    }
    const refreshToken = cookies.get(REFRESH_COOKIE);
    if (!refreshToken) {
      if (access) jar.clear(SESSION_COOKIE);
      return undefined;
    }
    let tokens: Tokens;
    try {
      tokens = await refreshOnce(ctx, refreshToken);
    } catch (e) {
      if (!isCode(e, Code.Unauthenticated) && !isCode(e, Code.InvalidArgument)) return unreachable(ctx, e, needsCustomer);
      jar.clear(SESSION_COOKIE);
      jar.clear(REFRESH_COOKIE);
      return undefined;
    }
    setSession(jar, tokens);
    return opts.verify(tokens.accessToken);
  }

  return async (ctx, call) => {
    const cookies = parseCookies(call.requestHeader.get("cookie"));
    const jar = new ResponseCookies(call.responseHeader, opts.secure);
    const authorization = call.requestHeader.get("authorization") ?? undefined;
    let principal: Principal | undefined;
    if (authorization !== undefined) {
      principal = await bearer(authorization);
    } else {
      checkCsrf(call, cookies);
      principal = await fromCookies(ctx, call, cookies, jar);
    }
    const session = sessionPort(cookies, jar);
    return { ...derive(ctx, { principal }), session } satisfies SessionContext;
  };
}

/** What the service may do with the browser's session during this call. */
function sessionPort(cookies: Map<string, string>, jar: ResponseCookies): SessionPort {
  let csrf = cookies.get(CSRF_COOKIE) || undefined;
  return {
    csrfToken() {
      if (!csrf) {
        csrf = newCsrfToken();
        jar.set(CSRF_COOKIE, csrf, MONTH_SECONDS);
      }
      return csrf;
    },
    begin(tokens) {
      setSession(jar, tokens);
      // A new token at sign-in: one planted before it is worth nothing after.
      csrf = newCsrfToken();
      jar.set(CSRF_COOKIE, csrf, MONTH_SECONDS);
      return csrf;
    },
    refreshToken() {
      return cookies.get(REFRESH_COOKIE) || undefined;
    },
    end() {
      csrf = undefined;
      jar.clear(SESSION_COOKIE);
      jar.clear(REFRESH_COOKIE);
      jar.clear(CSRF_COOKIE);
    },
  };
}

function setSession(jar: ResponseCookies, tokens: Tokens): void {
  jar.set(SESSION_COOKIE, tokens.accessToken, tokens.accessExpiresInSeconds);
  jar.set(REFRESH_COOKIE, tokens.refreshToken, tokens.refreshExpiresInSeconds > 0 ? tokens.refreshExpiresInSeconds : MONTH_SECONDS);
}

function checkCsrf(call: IncomingCall, cookies: Map<string, string>): void {
  if (call.method.idempotency === Idempotency.NO_SIDE_EFFECTS) return;
  const cookie = cookies.get(CSRF_COOKIE) ?? "";
  const header = call.requestHeader.get(CSRF_HEADER) ?? "";
  if (cookie === "" || !sameText(cookie, header)) throw permissionDenied(CSRF_MESSAGE);
}

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

function isCode(e: unknown, code: Code): boolean {
  return e instanceof KitError && e.code === code;
}

/** Identity (its keys or Refresh) cannot be reached: a visitor for this call, or UNAVAILABLE when it needs a customer. */
function unreachable(ctx: Context, e: unknown, needsCustomer: boolean): undefined {
  ctx.log.warn({ err: e instanceof Error ? e.message : String(e) }, "session not verifiable now: identity unreachable");
  if (needsCustomer) throw unavailable("Signing in cannot be checked right now: please try again in a moment.", e);
  return undefined;
}
