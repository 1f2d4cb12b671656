// GET /images/hotels/<hotel id>/<n>: photo n (from 1) of a hotel, served from
// our own origin (the pages' CSP allows no other). The photo's URL is the
// one catalog lists for the hotel, fetched only when its origin is one of the
// sellers' we were configured with (WEB_IMAGE_ORIGINS), without following
// redirects, within a size cap and a timeout, and only when it answers an
// image type; what was fetched is kept in a memory cache bounded in bytes
// (least recently used out first) and sent with Cache-Control. A malformed
// id or number is 400; an unknown hotel, a photo it does not have or one on
// another origin is 404 (nothing is fetched); a seller that fails is 502.
import type { Logger } from "pino";
import { backgroundContext } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { RequestHandler } from "../../transport/http-listener.js";

type Route = (...args: Parameters<RequestHandler>) => boolean;
type Res = Parameters<RequestHandler>[1];

export interface HotelImagesOptions {
  /** Where a hotel's photo URLs are looked up. */
  catalog: Pick<Client<typeof CatalogService>, "getHotels">;
  /** The sellers' origins ("http://127.0.0.1:7102") whose photos we serve. */
  allowedOrigins: readonly string[];
  log: Logger;
  /** The cache's bound, in bytes. Default 32 MiB. */
  cacheBytes?: number;
  /** The largest photo fetched. Default 2 MiB. */
  maxBytes?: number;
  /** The longest a catalog lookup plus the seller's answer may take. Default 5000 ms. */
  timeoutMs?: number;
}

/** What browsers may keep a photo for: a day. */
export const PHOTO_CACHE_CONTROL = "public, max-age=86400";
const IMAGE_TYPES = new Set(["image/png", "image/jpeg", "image/webp", "image/gif"]);
const PATH = /^\/images\/hotels\/([^/]*)\/([^/]*)$/;
const HOTEL_ID = /^[A-Za-z0-9][A-Za-z0-9_-]{0,63}$/;
const PHOTO_NUMBER = /^[1-9][0-9]?$/;

interface Photo {
  type: string;
  bytes: Buffer;
}

class Refusal extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The route: true when it took the request (its path is under /images/hotels/). */
export function hotelImages(opts: HotelImagesOptions): Route {
  const allowed = new Set(opts.allowedOrigins.map((o) => new URL(o).origin));
  const maxBytes = opts.maxBytes ?? 2 * 1024 * 1024;
  const timeoutMs = opts.timeoutMs ?? 5000;
  const cache = new PhotoCache(opts.cacheBytes ?? 32 * 1024 * 1024);
  const inFlight = new Map<string, Promise<Photo>>();

  const photo = (hotelId: string, n: number): Promise<Photo> => {
    const key = `${hotelId}/${n}`;
    const cached = cache.get(key);
    if (cached) return Promise.resolve(cached);
    let pending = inFlight.get(key);
    if (!pending) {
      pending = fetchPhoto(hotelId, n)
        .then((p) => {
          cache.set(key, p);
          return p;
        })
        .finally(() => inFlight.delete(key));
      inFlight.set(key, pending);
    }
    return pending;
  };

  const fetchPhoto = async (hotelId: string, n: number): Promise<Photo> => {
    const signal = AbortSignal.timeout(timeoutMs);
    const ctx = backgroundContext({ log: opts.log, signal, deadline: Date.now() + timeoutMs });
    const hotel = (await opts.catalog.getHotels(ctx, { hotelIds: [hotelId] })).hotels[0];
    const source = hotel?.imageUrls[n - 1];
    if (!source) throw new Refusal(404, `hotel ${hotelId} has no photo ${n}`);
    const url = URL.canParse(source) ? new URL(source) : undefined;
    if (!url || !allowed.has(url.origin)) {
      opts.log.warn({ hotel_id: hotelId, photo: n, origin: url?.origin }, "a hotel photo on an origin that is not a configured seller's was not fetched");
      throw new Refusal(404, `photo ${n} of hotel ${hotelId} is not on a seller's origin we serve`);
    }
    const res = await fetch(url, { signal, redirect: "error" }).catch((e: unknown) => {
      throw new Refusal(502, `the seller did not answer for the photo: ${e instanceof Error ? e.message : String(e)}`);
    });
    const type = (res.headers.get("content-type") ?? "").split(";")[0]!.trim().toLowerCase();
    if (res.status !== 200 || !IMAGE_TYPES.has(type)) {
      await res.body?.cancel();
      throw new Refusal(502, `the seller answered the photo with HTTP ${res.status} (${type || "no type"}), not an image`);
    }
    return { type, bytes: await readCapped(res, maxBytes) };
  };

  return (req, res) => {
    // The request target as sent (URL parsing would throw on "//x", a protocol-relative reference).
    const target = req.url ?? "/";
    const query = target.indexOf("?");
    const path = query === -1 ? target : target.slice(0, query);
    if (!path.startsWith("/images/hotels/")) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      reply(res, 405, "only GET and HEAD", { allow: "GET, HEAD" });
      return true;
    }
    const m = PATH.exec(path);
    const hotelId = m ? decodeSafely(m[1]!) : undefined;
    if (!m || hotelId === undefined || !HOTEL_ID.test(hotelId) || !PHOTO_NUMBER.test(m[2]!)) {
      reply(res, 400, "a photo's path is /images/hotels/<hotel id>/<1 to 99>");
      return true;
    }
    photo(hotelId, Number(m[2])).then(
      (p) => {
        writeHead(res, 200, {
          "content-type": p.type,
          "content-length": String(p.bytes.length),
          "cache-control": PHOTO_CACHE_CONTROL,
          "x-content-type-options": "nosniff",
        });
        if (req.method === "HEAD") res.end();
        else res.end(p.bytes);
      },
      (e: unknown) => {
        if (e instanceof Refusal) return reply(res, e.status, e.message);
        opts.log.warn({ hotel_id: hotelId, err: e instanceof Error ? e.message : String(e) }, "a hotel photo could not be served");
        reply(res, 502, "the photo could not be fetched; try again later");
      },
    );
    return true;
  };
}

function reply(res: Res, status: number, message: string, headers: Record<string, string> = {}): void {
  if (res.headersSent) return void res.destroy();
  writeHead(res, status, { "content-type": "text/plain; charset=utf-8", "cache-control": "no-store", ...headers });
  res.end(`${message}\n`);
}

function writeHead(res: Res, status: number, headers: Record<string, string>): void {
  res.statusCode = status;
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
}

function decodeSafely(part: string): string | undefined {
  try {
    return decodeURIComponent(part);
  } catch {
    return undefined;
  }
}

/** The body, refused past `maxBytes` (read no further). */
async function readCapped(res: Response, maxBytes: number): Promise<Buffer> {
  const declared = Number(res.headers.get("content-length"));
  if (declared > maxBytes) {
    await res.body?.cancel();
    throw new Refusal(502, `the seller's photo is over ${maxBytes} bytes`);
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of res.body ?? []) {
    size += chunk.length;
    if (size > maxBytes) throw new Refusal(502, `the seller's photo is over ${maxBytes} bytes`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

/** Photos by key, at most `bound` bytes in all; the least recently used go first. */
class PhotoCache {
  private readonly entries = new Map<string, Photo>();
  private bytes = 0;

  constructor(private readonly bound: number) {}

  get(key: string): Photo | undefined {
    const p = this.entries.get(key);
    if (p) {
      this.entries.delete(key);
      this.entries.set(key, p);
    }
    return p;
  }

  set(key: string, p: Photo): void {
    if (p.bytes.length > this.bound) return;
    const previous = this.entries.get(key);
    if (previous) this.bytes -= previous.bytes.length;
    this.entries.delete(key);
    this.entries.set(key, p);
    this.bytes += p.bytes.length;
    for (const [k, old] of this.entries) {
      if (this.bytes <= this.bound) break;
      this.entries.delete(k);
      this.bytes -= old.bytes.length;
    }
  }
}
