// A browser, as far as the BFF can tell: Connect JSON over HTTP/1.1 (unary
// POST with application/json, streams with application/connect+json
// envelopes), a cookie jar that obeys Set-Cookie (Max-Age=0 deletes), the
// x-csrf-token header copied from the itinera_csrf cookie (what the web app's
// interceptor does), an Origin header when told, and the local address it
// connects from (127.0.0.0/8 is loopback on Linux: two "machines"). Not used
// by production code.
import * as http from "node:http";

export interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  /** Parsed JSON when the body is JSON, else the text. */
  // any: tests read whatever JSON the server sent.
  body: any;
  /** The raw Set-Cookie lines of this answer. */
  setCookies: string[];
}

export interface CallOptions {
  /** The CSRF header to send: the cookie's by default, `false` for none, or this text. */
  csrf?: string | false;
  headers?: Record<string, string>;
}

const SERVICE = "/itinera.web.v1.WebService/";

export class Browser {
  /** name → value, as the browser would send them. */
  readonly cookies = new Map<string, string>();

  constructor(
    private readonly baseUrl: string,
    private readonly opts: { localAddress?: string; origin?: string } = {},
  ) {}

  /** A unary call: POST /itinera.web.v1.WebService/<method> with a JSON body. */
  call(method: string, body: unknown = {}, opts: CallOptions = {}): Promise<Answer> {
    return this.request("POST", SERVICE + method, JSON.stringify(body), { "content-type": "application/json", "connect-protocol-version": "1", ...this.rpcHeaders(opts) });
  }

  /** A server-streaming call: the messages and the end-of-stream JSON ({} or {error}). */
  async stream(method: string, body: unknown = {}, opts: CallOptions = {}): Promise<{ answer: Answer; messages: any[]; end: any }> {
    const json = Buffer.from(JSON.stringify(body));
    const head = Buffer.alloc(5);
    head.writeUInt32BE(json.length, 1);
    const answer = await this.request("POST", SERVICE + method, Buffer.concat([head, json]), {
      "content-type": "application/connect+json",
      "connect-protocol-version": "1",
      ...this.rpcHeaders(opts),
    }, true);
    const raw = answer.body as Buffer;
    const messages: unknown[] = [];
    let end: unknown = undefined;
    for (let at = 0; at + 5 <= raw.length; ) {
      const flags = raw[at]!;
      const length = raw.readUInt32BE(at + 1);
      const data = JSON.parse(raw.subarray(at + 5, at + 5 + length).toString("utf8"));
      if (flags & 2) end = data;
      else messages.push(data);
      at += 5 + length;
    }
    return { answer, messages, end };
  }

  /** A plain GET (pages, files). */
  get(path: string, headers: Record<string, string> = {}): Promise<Answer> {
    return this.request("GET", path, undefined, headers);
  }

  /** Any request (OPTIONS preflights, HEAD). */
  request(method: string, path: string, body?: string | Buffer, headers: Record<string, string> = {}, binary = false): Promise<Answer> {
    const all: Record<string, string> = { ...headers };
    if (this.cookies.size > 0) all.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.opts.origin) all.origin = this.opts.origin;
    return new Promise((resolve, reject) => {
      // The path as given, not normalised by a URL parser (so "/../x" reaches the server as sent).
      const { hostname, port } = new URL(this.baseUrl);
      const options = { hostname, port, path, method, headers: all, localAddress: this.opts.localAddress ?? "127.0.0.1" };
      const req = http.request(options, (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (c: Buffer) => chunks.push(c));
        res.on("end", () => {
          const raw = Buffer.concat(chunks);
          const setCookies = res.headers["set-cookie"] ?? [];
          this.store(setCookies);
          const type = String(res.headers["content-type"] ?? "");
          const text = raw.toString("utf8");
          const parsed = binary ? raw : type.includes("json") && text !== "" ? JSON.parse(text) : text;
          resolve({ status: res.statusCode ?? 0, headers: res.headers, body: parsed, setCookies });
        });
      });
      req.on("error", reject);
      req.end(body);
    });
  }

  private rpcHeaders(opts: CallOptions): Record<string, string> {
    const csrf = opts.csrf === undefined ? this.cookies.get("itinera_csrf") : opts.csrf;
    return { ...(csrf ? { "x-csrf-token": csrf } : {}), ...opts.headers };
  }

  private store(lines: string[]): void {
    for (const line of lines) {
      const [pair, ...attributes] = line.split(";");
      const eq = pair!.indexOf("=");
      const name = pair!.slice(0, eq).trim();
      const value = pair!.slice(eq + 1).trim();
      const maxAge = attributes.map((a) => a.trim()).find((a) => /^max-age=/i.test(a));
      if (value === "" || maxAge?.toLowerCase() === "max-age=0") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }
}

/** The attributes of the Set-Cookie line for `name` ("HttpOnly", "SameSite=Lax", "Max-Age=900" …), lower-cased names. */
export function cookieAttributes(lines: string[], name: string): Map<string, string> | undefined {
  const line = lines.find((l) => l.startsWith(`${name}=`));
  if (!line) return undefined;
  const [pair, ...rest] = line.split(";").map((s) => s.trim());
  const attributes = new Map<string, string>([["value", pair!.slice(name.length + 1)]]);
  for (const a of rest) {
    const eq = a.indexOf("=");
    attributes.set((eq < 0 ? a : a.slice(0, eq)).toLowerCase(), eq < 0 ? "" : a.slice(eq + 1));
  }
  return attributes;
}
