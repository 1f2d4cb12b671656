// The three cookies of a browser session (transport side):
//
//   itinera_session  the identity access token (a JWT): HttpOnly, SameSite=Lax,
//                    Path=/, Max-Age = the token's life (15 min)
//   itinera_refresh  identity's single-use refresh token: HttpOnly,
//                    SameSite=Strict, Path=/, Max-Age = its life (30 days)
//   itinera_csrf     a random token the page reads and sends back as the
//                    x-csrf-token header (double submit): NOT HttpOnly,
//                    SameSite=Strict, Path=/, 30 days
//
// Each is Secure when the public URL is https. A cookie is cleared by sending
// it empty with Max-Age=0 and the same attributes.
import { randomBytes } from "node:crypto";

export const SESSION_COOKIE = "itinera_session";
export const REFRESH_COOKIE = "itinera_refresh";
export const CSRF_COOKIE = "itinera_csrf";
export const CSRF_HEADER = "x-csrf-token";
export const MONTH_SECONDS = 30 * 24 * 3600;

/** The cookies a request carries, by name (the first of a repeated name wins), values URI-decoded. */
export function parseCookies(header: string | null | undefined): Map<string, string> {
  const cookies = new Map<string, string>();
  for (const part of (header ?? "").split(";")) {
    const eq = part.indexOf("=");
    if (eq <= 0) continue;
    const name = part.slice(0, eq).trim();
    let value = part.slice(eq + 1).trim();
    if (value.startsWith('"') && value.endsWith('"') && value.length >= 2) value = value.slice(1, -1);
    try {
      value = decodeURIComponent(value);
    } catch {
      // Not percent-encoded by us: keep it as sent.
    }
    if (name !== "" && !cookies.has(name)) cookies.set(name, value);
  }
  return cookies;
}

export interface CookieAttributes {
  httpOnly: boolean;
  sameSite: "Lax" | "Strict";
  maxAgeSeconds: number;
  secure: boolean;
}

export function serializeCookie(name: string, value: string, a: CookieAttributes): string {
  return [
    `${name}=${encodeURIComponent(value)}`,
    "Path=/",
    `Max-Age=${Math.max(0, Math.floor(a.maxAgeSeconds))}`,
    ...(a.httpOnly ? ["HttpOnly"] : []),
    `SameSite=${a.sameSite}`,
    ...(a.secure ? ["Secure"] : []),
  ].join("; ");
}

/** A new CSRF token: 32 random bytes, URL-safe. */
export function newCsrfToken(): string {
  return randomBytes(32).toString("base64url");
}

const ATTRIBUTES: Record<string, Omit<CookieAttributes, "maxAgeSeconds" | "secure">> = {
  [SESSION_COOKIE]: { httpOnly: true, sameSite: "Lax" },
  [REFRESH_COOKIE]: { httpOnly: true, sameSite: "Strict" },
  [CSRF_COOKIE]: { httpOnly: false, sameSite: "Strict" },
};

/**
 * The Set-Cookie lines of one response: the last word on each cookie wins
 * (a refresh then a sign-out sends only the clearing), written through to
 * the response headers at every change.
 */
export class ResponseCookies {
  private readonly lines = new Map<string, string>();

  constructor(
    private readonly headers: Headers,
    private readonly secure: boolean,
  ) {}

  set(name: keyof typeof ATTRIBUTES & string, value: string, maxAgeSeconds: number): void {
    this.lines.set(name, serializeCookie(name, value, { ...ATTRIBUTES[name]!, maxAgeSeconds, secure: this.secure }));
    this.flush();
  }

  clear(name: string): void {
    this.set(name, "", 0);
  }

  private flush(): void {
    this.headers.delete("set-cookie");
    for (const line of this.lines.values()) this.headers.append("set-cookie", line);
  }
}
