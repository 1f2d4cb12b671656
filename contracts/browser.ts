// The browser's session in Pact terms, for the web app's calls to the web BFF
// (services/web/cookies.ts, session-transport.ts): the httpOnly session
// cookie that names the customer, and the double-submit CSRF pair — the
// readable `itinera_csrf` cookie and the same token as the `x-csrf-token`
// header — that every call changing something must carry.
//
// The browser, not the app's code, sends the cookies; the app's interceptor
// sends the header. Both are the contract: without them the BFF answers a
// visitor, or PERMISSION_DENIED. A signed-in customer's cookie is a token
// identity signed, which no pact can hold: the consumer's request matches any
// such cookie, and the provider's state signs its customer in and answers
// `session` and `csrfToken`, which the verifier sends instead.
//
//   .given("a customer is signed in", { customerId: "cus_ana", displayName: "Ana Lima" })
//   .withRequest(...withSessionAndCsrf(connectRequest(WebService.method.cancelTrip, { ... })))
import { MatchersV3 } from "@pact-foundation/pact";
import type { ConnectRequest } from "./connect.js";
import { stateValue, withHeaders } from "./connect.js";

export const SESSION_COOKIE = "itinera_session";
export const CSRF_COOKIE = "itinera_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** The session cookie's value in the pacts' examples (an access token identity signed, in the BFF's verification). */
export const SESSION_EXAMPLE = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJjdXNfYW5hIn0.c2lnbmVkLWJ5LWlkZW50aXR5";
/** The CSRF token in the pacts' examples. */
export const CSRF_EXAMPLE = "csrf-token-from-get-session";

/** A Cookie header holding the cookie `name` (among others, in any place). */
const holding = (name: string) => new RegExp(`^(.*; )?${name}=[^;]+(; .*)?$`);
const TOKEN = /^\S+$/;
const SIGNED_IN_COOKIES = `${SESSION_COOKIE}=\${session}; ${CSRF_COOKIE}=\${csrfToken}`;
const SIGNED_IN_EXAMPLE = `${SESSION_COOKIE}=${SESSION_EXAMPLE}; ${CSRF_COOKIE}=${CSRF_EXAMPLE}`;

/**
 * A visitor's call that changes something (SignUp, SignIn): the CSRF cookie
 * GetSession set and the same token as the header. The BFF only compares the
 * two, so the pact's equal examples are what the verifier sends.
 */
export function withCsrf(request: ConnectRequest): ConnectRequest {
  return withHeaders(request, {
    Cookie: MatchersV3.regex(holding(CSRF_COOKIE), `${CSRF_COOKIE}=${CSRF_EXAMPLE}`),
    [CSRF_HEADER]: MatchersV3.regex(TOKEN, CSRF_EXAMPLE),
  });
}

/** A signed-in customer's call that only reads: the session cookie of the state's customer. */
export function withSession(request: ConnectRequest): ConnectRequest {
  return withHeaders(request, { Cookie: stateValue(SIGNED_IN_COOKIES, holding(SESSION_COOKIE), SIGNED_IN_EXAMPLE) });
}

/** A signed-in customer's call that changes something: the session cookie, the CSRF cookie, and the header equal to it. */
export function withSessionAndCsrf(request: ConnectRequest): ConnectRequest {
  const both = new RegExp(`^(.*; )?${SESSION_COOKIE}=[^;]+; (.*; )?${CSRF_COOKIE}=[^;]+(; .*)?$`);
  return withHeaders(request, {
    Cookie: stateValue(SIGNED_IN_COOKIES, both, SIGNED_IN_EXAMPLE),
    [CSRF_HEADER]: stateValue("${csrfToken}", TOKEN, CSRF_EXAMPLE),
  });
}
