// The photo route over real HTTP, in front of the real sandbox hotel seller
// (real PNGs) and of servers that misbehave: a photo is served from our
// origin with its type and Cache-Control, and then from the cache (the seller
// may be gone); a photo on another origin is never fetched; a redirect, a
// non-image and an oversized body are refused; malformed paths are 400.
import { create } from "@bufbuild/protobuf";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pino } from "pino";
import { startCasa } from "../../sandbox/casa.js";
import { generateInventory } from "../../sandbox/inventory.js";
import type { RunningSeller } from "../../sandbox/seller-server.js";
import { GetHotelsResponseSchema, HotelSchema, type Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { hotelImages, PHOTO_CACHE_CONTROL } from "./hotel-images.js";

const inventory = generateInventory({ seed: 3, today: "2026-05-04", cities: 1, hotelsPerCity: 2, days: 2, pairs: 1 });
const code = inventory.hotels[0]!.code;

async function listen(handler: Parameters<typeof createServer>[1]): Promise<{ server: Server; url: string }> {
  const server = createServer(handler);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}
const close = (s: Server) =>
  new Promise<void>((r) => {
    s.close(() => r());
    s.closeAllConnections();
  });

let casa: RunningSeller;
let elsewhere: Awaited<ReturnType<typeof listen>>;
let tricky: Awaited<ReturnType<typeof listen>>;
let web: Awaited<ReturnType<typeof listen>>;
let elsewhereHits = 0;
let hotels: Hotel[];

test.before(async () => {
  casa = await startCasa({ inventory });
  elsewhere = await listen((_req, res) => {
    elsewhereHits++;
    res.writeHead(200, { "content-type": "image/png" }).end("not fetched");
  });
  // A configured seller that answers badly.
  tricky = await listen((req, res) => {
    if (req.url === "/redirect") res.writeHead(302, { location: `${elsewhere.url}/x.png` }).end();
    else if (req.url === "/text") res.writeHead(200, { "content-type": "text/html" }).end("<p>no</p>");
    else res.writeHead(200, { "content-type": "image/png" }).end(Buffer.alloc(100 * 1024));
  });
  hotels = [
    create(HotelSchema, { hotelId: `h-${code}`, imageUrls: inventory.hotels[0]!.imagePaths.map((p) => casa.url + p) }),
    create(HotelSchema, { hotelId: "h-elsewhere", imageUrls: [`${elsewhere.url}/photo.png`, "not a url"] }),
    create(HotelSchema, { hotelId: "h-tricky", imageUrls: [`${tricky.url}/redirect`, `${tricky.url}/text`, `${tricky.url}/big`] }),
  ];
  const route = hotelImages({
    catalog: { getHotels: async (_ctx, req) => create(GetHotelsResponseSchema, { hotels: hotels.filter((h) => req.hotelIds?.includes(h.hotelId)) }) },
    allowedOrigins: [casa.url, tricky.url],
    log: pino({ level: "silent" }),
    maxBytes: 64 * 1024,
  });
  web = await listen((req, res) => {
    if (!route(req, res)) res.writeHead(418).end();
  });
});
test.after(async () => {
  await Promise.all([casa.close(), close(elsewhere.server), close(tricky.server), close(web.server)]);
});

const get = async (path: string, init?: RequestInit) => {
  const res = await fetch(web.url + path, init);
  return { status: res.status, type: res.headers.get("content-type"), cache: res.headers.get("cache-control"), body: Buffer.from(await res.arrayBuffer()) };
};

test("a hotel's photo is served from our origin with its type and Cache-Control, then from the cache once the seller is gone", async () => {
  const direct = Buffer.from(await (await fetch(casa.url + inventory.hotels[0]!.imagePaths[1]!)).arrayBuffer());
  const first = await get(`/images/hotels/h-${code}/2`);
  assert.equal([first.status, first.type, first.cache], [200, "image/png", PHOTO_CACHE_CONTROL]);
  assert.equal(first.body, direct);
  await casa.close();
  const cached = await get(`/images/hotels/h-${code}/2`);
  assert.equal([cached.status, cached.body], [200, direct], "served from the cache: the seller is down");
  assert.is((await get(`/images/hotels/h-${code}/1`)).status, 502, "not cached, and the seller is down");
  assert.is((await get(`/images/hotels/h-${code}/2`, { method: "HEAD" })).status, 200);
});

test("a photo on an origin that is not a configured seller's is never fetched", async () => {
  assert.is((await get("/images/hotels/h-elsewhere/1")).status, 404);
  assert.is((await get("/images/hotels/h-elsewhere/2")).status, 404);
  assert.is(elsewhereHits, 0);
});

test("a configured seller's redirect, non-image or oversized answer is refused", async () => {
  assert.is((await get("/images/hotels/h-tricky/1")).status, 502);
  assert.is(elsewhereHits, 0, "the redirect was not followed");
  assert.is((await get("/images/hotels/h-tricky/2")).status, 502);
  assert.is((await get("/images/hotels/h-tricky/3")).status, 502);
});

test("malformed paths are 400, unknown hotels and photos 404, other methods 405; other paths are not the route's", async () => {
  for (const path of ["/images/hotels/h-1/0", "/images/hotels/h-1/abc", "/images/hotels/h-1/100", "/images/hotels/%2E%2E%2Fx/1", "/images/hotels/h-1/1/2", "/images/hotels/%E0%A4%A/1"]) {
    assert.is((await get(path)).status, 400, path);
  }
  assert.is((await get("/images/hotels/h-unknown/1")).status, 404);
  assert.is((await get(`/images/hotels/h-${code}/99`)).status, 404);
  assert.is((await get(`/images/hotels/h-${code}/1`, { method: "POST" })).status, 405);
  for (const path of ["/index.html", "//", "//%%27", "//images/hotels/h-1/1"]) assert.is((await get(path)).status, 418, path);
});

test.run();
