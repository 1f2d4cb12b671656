import { test } from "uvu";
import * as assert from "uvu/assert";
import { dateOf } from "./calendar.js";
import { generateInventory } from "./inventory.js";
import { startSkylark } from "./skylark.js";
import type { RunningSeller } from "./seller-server.js";

const inv = generateInventory({ seed: 11, today: "2026-03-20", cities: 4, hotelsPerCity: 1, days: 10, pairs: 5 });
let sky: RunningSeller;
test.before(async () => {
  sky = await startSkylark({ inventory: inv, throttle: { ratePerSec: 1, burst: 4 } });
});
test.after(async () => {
  await sky.close();
});
test.before.each(async () => {
  await fetch(`${sky.url}/admin/reset`, { method: "POST" });
});

async function get(path: string): Promise<{ status: number; body: Record<string, unknown>; headers: Headers }> {
  const res = await fetch(sky.url + path);
  return { status: res.status, body: (await res.json()) as Record<string, unknown>, headers: res.headers };
}

const route = inv.routes[0]!;
const today = inv.today;

test("GET /v1/airports lists every airport with its city, country and IANA zone", async () => {
  const { status, body } = await get("/v1/airports");
  assert.is(status, 200);
  const airports = body.airports as Record<string, string>[];
  assert.is(airports.length, inv.airports.length);
  assert.equal(airports[0], { iata: "LIS", name: "Humberto Delgado", city: "Lisbon", country: "PT", tz: "Europe/Lisbon", city_id: "lisbon-pt" });
});

test("GET /v1/routes lists the directed pairs", async () => {
  const { body } = await get("/v1/routes");
  assert.is((body.routes as unknown[]).length, 10);
  assert.equal((body.routes as unknown[])[0], { from: route.from, to: route.to });
});

test("GET /v1/schedules gives local departure and arrival times for one date, or all of them", async () => {
  const one = await get(`/v1/schedules?from=${route.from}&to=${route.to}&date=${today}`);
  const flights = one.body.flights as Record<string, unknown>[];
  const expected = inv.flightsByRoute.get(`${route.from}-${route.to}`)!;
  assert.is(flights.length, expected.length);
  const f = flights[0]!;
  assert.equal(Object.keys(f).slice(0, 10), ["carrier", "carrier_name", "number", "from", "to", "date", "departs", "arrives", "aircraft", "services"]);
  assert.equal([f.carrier, f.carrier_name, f.number, f.from, f.to, f.date], ["SL", "SkyLark Air", expected[0]!.number, route.from, route.to, today]);
  assert.match(f.departs as string, new RegExp(`^${today}T\\d\\d:\\d\\d$`));
  assert.match(f.arrives as string, /^\d{4}-\d\d-\d\dT\d\d:\d\d$/);
  assert.ok(Array.isArray(f.services) && (f.services as string[]).length > 0);
  const all = await get(`/v1/schedules?from=${route.from}&to=${route.to}`);
  assert.is((all.body.flights as unknown[]).length, expected.length * 10, "ten days");
  const fromOnly = await get(`/v1/schedules?from=${route.from}&date=${today}`);
  assert.is((fromOnly.body.flights as unknown[]).length, inv.flights.filter((x) => x.from === route.from).length);
  const past = await get(`/v1/schedules?from=${route.from}&to=${route.to}&date=2026-03-19`);
  assert.equal(past.body, { flights: [] });
});

test("GET /v1/fares prices every flight of the route in USD, as decimal strings, and counts a search", async () => {
  const { status, body } = await get(`/v1/fares?from=${route.from}&to=${route.to}&date=${dateOf(inv.todayDay + 2)}`);
  assert.is(status, 200);
  assert.is(body.currency, "USD");
  const fares = body.fares as Record<string, unknown>[];
  assert.ok(fares.length >= 1);
  for (const fare of fares) {
    assert.equal(Object.keys(fare), ["number", "date", "cabin", "price", "seats", "id"]);
    assert.is(fare.id, `${fare.number}-${fare.date}`, "the id bookings take");
    assert.match(fare.price as string, /^\d+\.\d\d$/);
    assert.ok(["economy", "business"].includes(fare.cabin as string));
    assert.ok(Number.isInteger(fare.seats) && (fare.seats as number) >= 0 && (fare.seats as number) <= 9);
  }
  assert.equal((await get("/admin/stats")).body, { searches: 1, bookings: 0, booking_refusals: 0, throttled: 0 });
});

test("bad queries: 400 for malformed input, 404 for unknown airports (fare calls still count: they passed the throttle)", async () => {
  assert.is((await get(`/v1/fares?from=${route.from}&to=${route.to}`)).status, 400);
  assert.is((await get(`/v1/fares?from=${route.from}&to=${route.to}&date=2026-02-30`)).status, 400);
  assert.is((await get(`/v1/fares?from=LISBON&to=${route.to}&date=${today}`)).status, 400);
  const unknown = await get(`/v1/fares?from=ZZZ&to=${route.to}&date=${today}`);
  assert.equal([unknown.status, unknown.body], [404, { error: "unknown airport ZZZ" }]);
  assert.is((await get("/v1/nothing")).status, 404);
  assert.is(((await get("/admin/stats")).body.searches as number), 4, "passed the throttle: counted as searches");
});

test("fares are throttled: beyond the burst 429 with Retry-After, counted as throttled; schedules are not", async () => {
  const q = `/v1/fares?from=${route.from}&to=${route.to}&date=${today}`;
  const statuses: number[] = [];
  let retryAfter: string | null = null;
  for (let i = 0; i < 8; i++) {
    const res = await fetch(sky.url + q);
    statuses.push(res.status);
    if (res.status === 429) retryAfter = res.headers.get("retry-after");
    await res.arrayBuffer();
  }
  // burst 4 at 1/s: the first four pass; of the next four at most one more (a second may pass on a slow machine).
  assert.equal(statuses.slice(0, 4), [200, 200, 200, 200]);
  assert.ok(statuses.slice(4).filter((s) => s === 429).length >= 3, statuses.join(","));
  assert.ok(Number(retryAfter) >= 1);
  const stats = (await get("/admin/stats")).body as Record<string, number>;
  assert.is(stats.searches! + stats.throttled!, 8);
  assert.is(stats.throttled, statuses.filter((s) => s === 429).length);
  for (let i = 0; i < 6; i++) assert.is((await get(`/v1/schedules?from=${route.from}&date=${today}`)).status, 200);
});

test.run();
