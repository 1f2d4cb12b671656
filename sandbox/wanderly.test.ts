import { createHmac } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { dateOf } from "./calendar.js";
import { generateInventory } from "./inventory.js";
import { startWanderly, type RunningWanderly, type WanderlyOptions } from "./wanderly.js";

const SECRET = "test-secret";
const inv = generateInventory({ seed: 9, today: "2026-03-20", cities: 3, hotelsPerCity: 6, days: 5, pairs: 3 });

interface Received {
  body: string;
  signature: string | undefined;
  pushId: string | undefined;
  push: Push;
}
interface Push {
  push_id: string;
  sent_at: string;
  listings: { code: string; name: string; city: { id: string }; rooms: { code: string; product: string }[] }[];
  city_aliases: Record<string, string[]>;
  rates: { property: string; room: string; night: string; price_minor: number; currency: string; available: number }[];
  fares: { number: string; date: string; cabin: string; price_minor: number; currency: string; seats: number }[];
}

/** Closed after each test, pass or fail, so the process always exits. */
const open: { close(): Promise<void> }[] = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

/** A tiny webhook receiver: answers each POST with the next scripted status (then 200), keeps what it got. */
async function webhook(script: number[] = []): Promise<{ url: string; received: Received[]; statuses: number[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const statuses: number[] = [];
  const server: Server = createServer((req, res) => {
    let body = "";
    req.on("data", (c: Buffer) => (body += c.toString("utf8")));
    req.on("end", () => {
      const status = script.shift() ?? 200;
      statuses.push(status);
      const signature = req.headers["x-wanderly-signature"];
      const pushId = req.headers["x-wanderly-push-id"];
      received.push({
        body,
        signature: typeof signature === "string" ? signature : undefined,
        pushId: typeof pushId === "string" ? pushId : undefined,
        push: JSON.parse(body) as Push,
      });
      res.writeHead(status).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const hook = {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/webhooks/wanderly`,
    received,
    statuses,
    close: () =>
      new Promise<void>((r) => {
        server.close(() => r());
        server.closeAllConnections();
      }),
  };
  open.push(hook);
  return hook;
}

async function wanderly(url: string, extra: Partial<WanderlyOptions> = {}): Promise<RunningWanderly> {
  const w = await startWanderly({
    inventory: inv, webhookUrl: url, secret: SECRET, intervalMs: 0, share: 0.3, batchHotels: 2, batchFlights: 3, retryBaseMs: 20, ...extra,
  });
  open.push(w);
  return w;
}
/** What a signature must be: t=<unix seconds>,v1=<HMAC-SHA256 of "<t>.<push id>.<body>">, with t now. */
function expectSigned(r: Received) {
  const [, t, v1] = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(r.signature ?? "") ?? [];
  assert.ok(t && v1, `signature ${r.signature}`);
  assert.ok(Math.abs(Number(t) - Date.now() / 1000) < 60, "signed at the time it was sent");
  assert.is(r.pushId, r.push.push_id, "the push id travels beside the body");
  assert.is(v1, createHmac("sha256", SECRET).update(`${t}.${r.pushId}.${r.body}`).digest("hex"), "time, push id and body signed with the key");
}
const stats = async (w: RunningWanderly) => (await (await fetch(`${w.url}/admin/stats`)).json()) as Record<string, number>;

test("on start it pushes a signed snapshot of what it sells: listings with rates, then fares, in GBP", async () => {
  const hook = await webhook();
  const w = await wanderly(hook.url);
  await w.pushesIdle();
  const hotels = w.offer.hotels;
  assert.ok(hotels.length >= 2 && hotels.length < inv.hotels.length, `${hotels.length} hotels`);
  assert.is(hook.received.length, Math.ceil(hotels.length / 2) + Math.ceil(w.offer.flights.length / 3));
  for (const r of hook.received) {
    expectSigned(r);
    assert.match(r.push.push_id, /^[0-9a-f-]{36}$/);
    assert.ok(!Number.isNaN(Date.parse(r.push.sent_at)));
  }
  assert.is(new Set(hook.received.map((r) => r.push.push_id)).size, hook.received.length);
  const listings = hook.received.flatMap((r) => r.push.listings);
  assert.equal(listings.map((l) => l.code), hotels.map((h) => h.code), "the same property codes as casa");
  assert.equal(listings[0]!.rooms.map((r) => r.code), hotels[0]!.rooms.map((r) => r.code));
  assert.equal(listings[0]!.rooms.map((r) => r.product), hotels[0]!.rooms.map((r) => `${hotels[0]!.code}:${r.code}`), "the id bookings take");
  assert.ok(Object.keys(hook.received[0]!.push.city_aliases).includes(listings[0]!.city.id));
  const rates = hook.received.flatMap((r) => r.push.rates);
  assert.is(rates.length, hotels.reduce((n, h) => n + h.rooms.length * inv.days, 0));
  for (const r of rates) {
    assert.equal(Object.keys(r), ["property", "room", "night", "price_minor", "currency", "available"]);
    assert.ok(Number.isInteger(r.price_minor) && r.price_minor > 0 && r.currency === "GBP");
  }
  const fares = hook.received.flatMap((r) => r.push.fares);
  assert.ok(fares.length >= w.offer.flights.length * inv.days);
  assert.ok(fares.every((f) => w.offer.sellsFlight(f.number) && Number.isInteger(f.price_minor) && f.currency === "GBP"));
  assert.equal((await stats(w)).pushes_sent, hook.received.length);
});

test("a failed POST is retried with backoff, byte for byte; a rejected one (4xx) is dropped; attempts are bounded", async () => {
  const hook = await webhook([500, 503, 401, 500, 500, 500]);
  const w = await wanderly(hook.url, { share: 0.15, batchHotels: 100, batchFlights: 100, maxAttempts: 3 });
  await w.pushesIdle();
  // push 1: 500, 503, then 401 (dropped); push 2: 500, 500, 500 (dropped after 3 attempts).
  assert.equal(hook.statuses, [500, 503, 401, 500, 500, 500]);
  const [a, b, c, d] = hook.received;
  assert.equal([b!.body, c!.body], [a!.body, a!.body], "the same push, same push_id and bytes");
  assert.is.not(d!.push.push_id, a!.push.push_id);
  assert.equal(await stats(w), { searches: 0, bookings: 0, booking_refusals: 0, throttled: 0, pushes_sent: 0, push_failures: 6, duplicates_sent: 0 });
  // The receiver is back: push-now delivers.
  const res = await fetch(`${w.url}/admin/push-now`, { method: "POST" });
  assert.equal([res.status, await res.json()], [202, { queued: 2 }]);
  await w.pushesIdle();
  assert.is((await stats(w)).pushes_sent, 2);
});

test("every DUPLICATE_EVERY-th push is sent twice with the same push_id", async () => {
  const hook = await webhook();
  const w = await wanderly(hook.url, { duplicateEvery: 2 });
  await w.pushesIdle();
  const ids = hook.received.map((r) => r.push.push_id);
  const unique = new Set(ids).size;
  assert.is(ids.length, unique + Math.floor(unique / 2));
  assert.is(ids[2], ids[1], "the second push, twice in a row");
  assert.is(hook.received[2]!.body, hook.received[1]!.body);
  assert.is((await stats(w)).duplicates_sent, Math.floor(unique / 2));
});

test("quotes agree with the latest push, changes included; they are counted and throttled", async () => {
  const hook = await webhook();
  const w = await wanderly(hook.url, { throttle: { ratePerSec: 1, burst: 4 } });
  await w.pushesIdle();
  const res = await fetch(`${w.url}/admin/push-now?kind=changes`, { method: "POST" });
  assert.equal(await res.json(), { queued: 1 });
  await w.pushesIdle();
  const change = hook.received.at(-1)!.push;
  assert.equal(change.listings, []);
  const property = change.rates[0]!.property;
  const before = hook.received.flatMap((r) => r.push.rates).find((r) => r.property === property)!;
  const after = change.rates.find((r) => r.room === before.room && r.night === before.night)!;
  assert.is.not(after.price_minor, before.price_minor, "a change re-prices");

  const checkIn = inv.today;
  const checkOut = dateOf(inv.todayDay + 2);
  const quote = (await (await fetch(`${w.url}/api/quote/hotel?property=${property}&check_in=${checkIn}&check_out=${checkOut}`)).json()) as {
    property: string; currency: string; rooms: { room: string; total_minor: number; available: number; nights: { night: string; price_minor: number }[] }[];
  };
  assert.equal([quote.property, quote.currency], [property, "GBP"]);
  const room = quote.rooms.find((r) => r.room === after.room)!;
  const pushed = change.rates.filter((r) => r.property === property && r.room === after.room && r.night < checkOut);
  assert.equal(room.nights.map((n) => n.price_minor), pushed.map((r) => r.price_minor));
  assert.is(room.total_minor, pushed.reduce((s, r) => s + r.price_minor, 0));

  const flight = w.offer.flights[0]!;
  const fq = (await (await fetch(`${w.url}/api/quote/flights?from=${flight.from}&to=${flight.to}&date=${checkIn}`)).json()) as {
    currency: string; fares: { number: string }[];
  };
  assert.is(fq.currency, "GBP");
  assert.ok(fq.fares.some((f) => f.number === flight.number) && fq.fares.every((f) => w.offer.sellsFlight(f.number)));

  const notSold = inv.hotels.find((h) => !w.offer.sellsHotel(h.code))!;
  assert.is((await fetch(`${w.url}/api/quote/hotel?property=${notSold.code}&check_in=${checkIn}&check_out=${checkOut}`)).status, 404);
  assert.is((await fetch(`${w.url}/api/quote/hotel?property=${property}&check_in=${checkOut}&check_out=${checkIn}`)).status, 400);
  const s = await stats(w);
  assert.equal([s.searches, s.throttled], [4, 0]);
  const throttled = await fetch(`${w.url}/api/quote/flights?from=${flight.from}&to=${flight.to}&date=${checkIn}`);
  assert.is(throttled.status, 429);
  assert.ok(Number(throttled.headers.get("retry-after")) >= 1);
  assert.is((await stats(w)).throttled, 1);
});

test("on the demo inventory it sells about a tenth of the hotels and flights", async () => {
  const demo = generateInventory({ today: "2026-03-20" });
  const { WanderlyOffer } = await import("./wanderly-offer.js");
  const offer = new WanderlyOffer(demo);
  assert.ok(offer.hotels.length > 150 && offer.hotels.length < 250, `${offer.hotels.length} hotels`);
  const share = offer.flights.length / demo.flights.length;
  assert.ok(share > 0.05 && share < 0.15, `${offer.flights.length} of ${demo.flights.length} flights`);
});

test.run();
