// The BFF as the browser calls it, for bench/web.ts: Connect protocol, JSON
// bodies, HTTP/1.1, a cookie jar (the session cookies SignUp sets, kept up to
// date from every response's Set-Cookie) and the x-csrf-token header from the
// itinera_csrf cookie (double submit), like web/src/api/client.ts does with
// fetch's credentials "include". One StreamHotels call is timed to its first
// message and to its end, and what it answered is kept for the report.
import { Code, ConnectError, createClient, type Client, type Interceptor } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { StreamHotelsRequestSchema, WebService } from "../gen/itinera/web/v1/web_pb.js";

export type WebClient = Client<typeof WebService>;

export interface BrowserClient {
  client: WebClient;
  /** The cookies held now, by name. */
  cookies: Map<string, string>;
}

/** A client with its own cookie jar: each one is one browser. */
export function browserClient(baseUrl: string): BrowserClient {
  const cookies = new Map<string, string>();
  const jar: Interceptor = (next) => async (req) => {
    if (cookies.size > 0) req.header.set("cookie", [...cookies].map(([k, v]) => `${k}=${v}`).join("; "));
    const csrf = cookies.get("itinera_csrf");
    if (csrf) req.header.set("x-csrf-token", decodeURIComponent(csrf));
    const res = await next(req);
    for (const line of res.header.getSetCookie()) {
      const [pair = "", ...attributes] = line.split(";");
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq).trim();
      const value = pair.slice(eq + 1).trim();
      const cleared = value === "" || attributes.some((a) => a.trim().toLowerCase() === "max-age=0");
      if (cleared) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  };
  const transport = createConnectTransport({ baseUrl, httpVersion: "1.1", useBinaryFormat: false, interceptors: [jar] });
  return { client: createClient(WebService, transport), cookies };
}

/** What the searches of one measurement answered, beyond their latencies. */
export class StreamTally {
  /** From the call to the first message, milliseconds. */
  readonly firstMs: number[] = [];
  readonly errorsByCode = new Map<string, number>();
  streams = 0;
  messages = 0;
  /** Streams that ended without a message. */
  empty = 0;
  /** Streams whose last message did not say complete. */
  incomplete = 0;
  /** Streams whose last message named a degraded dependency ("pricing", "wallet"). */
  degraded = 0;
  /** Streams whose last message carried the wallet balance the markdown came from. */
  withWallet = 0;
  hotels = 0;

  /** One StreamHotels, read to its end; rethrows its error (counted by code) for the load generator. */
  async search(client: WebClient, req: MessageInitShape<typeof StreamHotelsRequestSchema>): Promise<void> {
    const sent = performance.now();
    let n = 0;
    let last: { complete: boolean; degraded: string[]; wallet: boolean; hotels: number } | undefined;
    try {
      for await (const m of client.streamHotels(req)) {
        if (n++ === 0) this.firstMs.push(performance.now() - sent);
        const r = m.results;
        last = { complete: r?.complete ?? false, degraded: r?.degraded ?? [], wallet: r?.walletAvailable !== undefined, hotels: r?.hotels.length ?? 0 };
      }
    } catch (e) {
      const code = Code[ConnectError.from(e).code];
      this.errorsByCode.set(code, (this.errorsByCode.get(code) ?? 0) + 1);
      throw e;
    }
    this.streams++;
    this.messages += n;
    if (!last) return void this.empty++;
    if (!last.complete) this.incomplete++;
    if (last.degraded.length > 0) this.degraded++;
    if (last.wallet) this.withWallet++;
    this.hotels += last.hotels;
  }
}
