// Double-submit CSRF: the BFF sets a readable `itinera_csrf` cookie next to the
// httpOnly session cookie and answers the same token from GetSession, SignIn
// and VerifyEmail; every call carries it back as the `x-csrf-token` header. The
// cookie is preferred (it is what the BFF compares with, and another tab may
// have signed in since); the last token answered is the fallback for a BFF
// that keeps the cookie httpOnly.
import type { Interceptor } from "@connectrpc/connect";

export const CSRF_COOKIE = "itinera_csrf";
export const CSRF_HEADER = "x-csrf-token";

/** The value of one cookie in a `document.cookie` string, decoded. */
export function readCookie(cookies: string, name: string): string | undefined {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq < 0 || part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    try {
      return decodeURIComponent(raw) || undefined;
    } catch {
      return raw || undefined;
    }
  }
  return undefined;
}

export interface CsrfStore {
  get(): string | undefined;
  set(token: string): void;
}

export function csrfStore(cookies: () => string): CsrfStore {
  let answered = "";
  return {
    get: () => readCookie(cookies(), CSRF_COOKIE) ?? (answered || undefined),
    set: (token) => {
      if (token) answered = token;
    },
  };
}

/**
 * Sends the token on every call and keeps the one a response answers
 * (GetSession, SignIn, SignUp, VerifyEmail carry `csrf_token`).
 */
export function csrfInterceptor(store: CsrfStore): Interceptor {
  return (next) => async (req) => {
    const token = store.get();
    if (token) req.header.set(CSRF_HEADER, token);
    const res = await next(req);
    if (!res.stream) {
      const answered: unknown = (res.message as { csrfToken?: unknown }).csrfToken;
      if (typeof answered === "string") store.set(answered);
    }
    return res;
  };
}
