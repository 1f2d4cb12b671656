// The web app's own client as its consumer tests run it: web/src/api/client.ts
// (connect-web's transport over fetch, credentials "include", the CSRF
// interceptor of csrf.ts) exactly as main.tsx builds it, in Node 20 (global
// fetch) instead of a browser. What the browser adds around it is played
// here: a cookie jar that sends its cookies with every call and keeps the
// Set-Cookie lines answered, and `document.cookie`, which shows the csrf
// store the cookies that are not HttpOnly.
import { createWebClient, type WebClient } from "../../web/src/api/client.js";
import { csrfStore, type CsrfStore } from "../../web/src/api/csrf.js";

interface Cookie {
  value: string;
  httpOnly: boolean;
}

export class CookieJar {
  private readonly cookies = new Map<string, Cookie>();

  /** A cookie as a Set-Cookie line would leave it (the session's is HttpOnly, the CSRF token's is not). */
  set(name: string, value: string, opts: { httpOnly: boolean }): this {
    this.cookies.set(name, { value, httpOnly: opts.httpOnly });
    return this;
  }

  /** What `document.cookie` shows the page. */
  documentCookie(): string {
    return [...this.cookies].filter(([, c]) => !c.httpOnly).map(([name, c]) => `${name}=${c.value}`).join("; ");
  }

  /** The Cookie header the browser sends with a request, if it has cookies. */
  header(): string | undefined {
    return this.cookies.size === 0 ? undefined : [...this.cookies].map(([name, c]) => `${name}=${c.value}`).join("; ");
  }

  /** A fetch that sends the jar's cookies and keeps what the answer sets (Max-Age=0 deletes). */
  readonly fetch: typeof fetch = async (input, init) => {
    const headers = new Headers(init?.headers);
    const cookie = this.header();
    if (cookie !== undefined) headers.set("cookie", cookie);
    const res = await fetch(input, { ...init, headers });
    for (const line of res.headers.getSetCookie()) this.keep(line);
    return res;
  };

  private keep(line: string): void {
    const [pair = "", ...attributes] = line.split(";").map((part) => part.trim());
    const eq = pair.indexOf("=");
    const [name, value] = [pair.slice(0, eq), pair.slice(eq + 1)];
    const lower = attributes.map((a) => a.toLowerCase());
    if (value === "" || lower.includes("max-age=0")) this.cookies.delete(name);
    else this.cookies.set(name, { value, httpOnly: lower.includes("httponly") });
  }
}

export interface App {
  api: WebClient;
  csrf: CsrfStore;
  jar: CookieJar;
}

/** The app's client of the BFF at `baseUrl` (the page's origin), in a browser holding `jar`'s cookies. */
export function appAt(baseUrl: string, jar = new CookieJar()): App {
  const csrf = csrfStore(() => jar.documentCookie());
  return { api: createWebClient(csrf, baseUrl, jar.fetch), csrf, jar };
}
