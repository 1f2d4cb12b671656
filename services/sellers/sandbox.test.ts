// The real adapters against the real sandbox sellers (sandbox/, in-process,
// a tiny inventory around a DST change): pulls bring every hotel, flight and
// rate; flight instants agree with the sandbox's own durations across the
// change; Wanderly's pushes arrive through the webhook; live quotes agree
// with the ingested rates; a seller that goes down or fails is listed
// unavailable and its breaker opens and closes; our throttle keeps us under
// the seller's, and our search count is the seller's.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCasa } from "../../sandbox/casa.js";
import { generateInventory } from "../../sandbox/inventory.js";
import { startSkylark } from "../../sandbox/skylark.js";
import { startWanderly } from "../../sandbox/wanderly.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { createAdapters } from "./adapters/index.js";
import { addDays, formatDate, parseDate } from "./calendar.js";
import { sellersFixture, TEST_SECRET } from "./fixture.js";
import { FxTable, SANDBOX_FX_RATES } from "./fx.js";
import { webhookRoute } from "../../transport/webhook.js";
import { pushWebhook } from "./webhook.js";
import { freePort, until } from "../../platform/processes.testing.js";

const log = pino({ level: "silent" });
const TODAY = "2026-03-26"; // Europe changes to summer time on the 29th

async function setMode(url: string, mode: string) {
  const res = await fetch(`${url}/admin/mode`, { method: "POST", body: JSON.stringify({ mode }) });
  assert.is(res.status, 200, `mode ${mode}`);
  await res.body?.cancel();
}


async function stats(url: string): Promise<{ searches: number; throttled: number }> {
  return (await (await fetch(`${url}/admin/stats`)).json()) as { searches: number; throttled: number };
}

test("the adapters against the real sandbox sellers", async () => {
  const inventory = generateInventory({ seed: 7, today: TODAY, cities: 3, hotelsPerCity: 4, days: 6, pairs: 3 });
  const skylark = await startSkylark({ inventory, throttle: { ratePerSec: 10, burst: 5 } });
  const casa = await startCasa({ inventory });
  const now = () => new Date(`${TODAY}T10:00:00Z`);
  // Wanderly needs our webhook's URL, and our adapters need Wanderly's: the port is chosen first.
  const port = await freePort();
  const wanderly = await startWanderly({
    inventory,
    webhookUrl: `http://127.0.0.1:${port}/webhooks/wanderly`,
    secret: TEST_SECRET,
    now: () => now().getTime(),
    intervalMs: 0,
    pushOnStart: false,
  });
  const adapters = createAdapters(
    { skylark: skylark.url, casa: casa.url, wanderly: wanderly.url },
    { fx: new FxTable(SANDBOX_FX_RATES), throttle: { ratePerSecond: 5, burst: 2 }, breaker: { volumeThreshold: 3, resetTimeoutMs: 300 }, now },
  );
  const f = await sellersFixture({ adapters, now });
  const server = await startServer({
    port,
    log,
    routes: (router) => serveService(router, SellersService, f.endpoints, { log }),
    http: webhookRoute({ ...pushWebhook(f.endpoints), log }),
  });
  try {
    // Pulls: every hotel with its rooms, every flight of the window, every rate.
    const hotels = await f.client.syncSeller(f.ctx, { sellerId: "casa" });
    assert.is(hotels.hotels, inventory.hotels.length);
    const roomNights = inventory.hotels.reduce((n, h) => n + h.rooms.length, 0) * inventory.days;
    assert.is(hotels.rates, roomNights);
    const listed = f.catalog.hotels.flatMap((r) => r.hotels);
    assert.equal(listed.map((h) => h.hotelId), inventory.hotels.map((h) => `h-${h.code}`));
    assert.equal(listed[0]!.rooms.map((r) => r.roomId), inventory.hotels[0]!.rooms.map((r) => r.code));
    const firstCity = inventory.cities[0]!;
    const aliases = f.catalog.hotels[0]!.cityAliases[firstCity.id]?.aliases ?? [];
    for (const a of firstCity.aliases) assert.ok(aliases.includes(a), `alias ${a} of ${firstCity.id}`);

    const flights = await f.client.syncSeller(f.ctx, { sellerId: "skylark" });
    assert.is(flights.flights, inventory.flights.length * inventory.days);
    const schedules = (await (await fetch(`${skylark.url}/v1/schedules`)).json()) as {
      flights: { number: string; date: string; duration_minutes: number }[];
    };
    const duration = new Map(schedules.flights.map((s) => [`${s.number}-${s.date}`, s.duration_minutes]));
    const upserted = f.catalog.flights.flatMap((r) => r.flights);
    assert.ok(upserted.some((x) => formatDate(x.departureDate!) === "2026-03-29"), "the DST day is covered");
    for (const x of upserted) {
      const minutes = Number(x.arrivalTime!.seconds - x.departureTime!.seconds) / 60;
      assert.is(minutes, duration.get(x.flightId), `${x.flightId}: arrival − departure is the flight's duration`);
    }

    // Wanderly pushes through the webhook: its hotels and GBP rates arrive in EUR.
    assert.ok(wanderly.pushNow("snapshot") >= 2);
    await wanderly.pushesIdle();
    const pushes = (await stats(wanderly.url)) as unknown as Record<string, number>;
    assert.equal([pushes.pushes_sent! >= 2, pushes.push_failures], [true, 0]);
    const pushedHotels = f.catalog.hotels.filter((r) => r.sellerId === "wanderly").flatMap((r) => r.hotels.map((h) => h.hotelId));
    assert.equal(pushedHotels, wanderly.offer.hotels.map((h) => `h-${h.code}`));
    const pushedRates = f.pricing.rates.filter((r) => r.sellerId === "wanderly").flatMap((r) => r.rates);
    assert.ok(pushedRates.length > 0 && pushedRates.every((r) => r.price?.currency === "EUR"));

    // Live quotes: both hotel sellers answer, in EUR, equal to the sum of the nights they sent.
    const hotel = wanderly.offer.hotels[0]!;
    const stay = { checkIn: parseDate(TODAY), checkOut: addDays(parseDate(TODAY), 2) };
    const quote = await f.client.quoteHotelStay(f.ctx, { hotelId: `h-${hotel.code}`, ...stay });
    assert.equal(quote.unavailableSellers, []);
    const nightsSum = (seller: string, room: string) =>
      f.pricing.rates
        .filter((r) => r.sellerId === seller)
        .flatMap((r) => r.rates)
        .filter((r) => r.hotelId === `h-${hotel.code}` && r.roomId === room && formatDate(r.night!) < formatDate(stay.checkOut))
        .reduce((s, r) => s + r.price!.amountMinor, 0n);
    for (const seller of ["casa", "wanderly"]) {
      const offers = quote.offers.filter((o) => o.sellerId === seller);
      assert.is(offers.length, hotel.rooms.length, `${seller} offers every room`);
      for (const o of offers) assert.is(o.total!.amountMinor, nightsSum(seller, o.roomId), `${seller} ${o.roomId}: live = ingested`);
    }
    const wf = wanderly.offer.flights[0]!;
    const fares = await f.client.quoteFlights(f.ctx, { origin: wf.from, destination: wf.to, departureDate: parseDate(TODAY) });
    assert.equal([...new Set(fares.fares.map((x) => x.sellerId))].sort(), ["skylark", "wanderly"]);
    assert.ok(fares.fares.every((x) => x.price?.currency === "EUR" && x.price.amountMinor > 0n));

    // Casa down, then failing: unavailable, the breaker opens, and closes once it is back.
    await setMode(casa.url, "down");
    let q = await f.client.quoteHotelStay(f.ctx, { hotelId: `h-${hotel.code}`, ...stay });
    assert.equal(q.unavailableSellers, ["casa"]);
    assert.ok(q.offers.length > 0 && q.offers.every((o) => o.sellerId === "wanderly"));
    await setMode(casa.url, "fail");
    const casaState = async () => (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "casa")!;
    // The sync's successful calls are in the breaker's window too: fail until more than half failed.
    for (let i = 0; i < 10 && (await casaState()).breakerState !== "open"; i++) {
      q = await f.client.quoteHotelStay(f.ctx, { hotelId: `h-${hotel.code}`, ...stay });
      assert.equal(q.unavailableSellers, ["casa"]);
    }
    assert.is((await casaState()).breakerState, "open");
    await setMode(casa.url, "normal");
    // After its reset timeout the breaker lets a probe through: wait for that state change, not for a time.
    await until("casa's breaker no longer open", async () => ((await casaState()).breakerState !== "open" ? true : undefined));
    q = await f.client.quoteHotelStay(f.ctx, { hotelId: `h-${hotel.code}`, ...stay });
    assert.equal(q.unavailableSellers, []);
    assert.is((await casaState()).breakerState, "closed");

    // Our throttle (5/s, burst 2) keeps us under SkyLark's (10/s, burst 5); what we count is what it counted.
    await (await fetch(`${skylark.url}/admin/reset`, { method: "POST" })).body?.cancel();
    const searchesBefore = (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "skylark")!.searches;
    const route = inventory.routes[0]!;
    const started = performance.now();
    for (let i = 0; i < 8; i++) {
      const r = await f.client.quoteFlights(f.ctx, { origin: route.from, destination: route.to, departureDate: parseDate(TODAY) });
      assert.equal(r.unavailableSellers, []);
    }
    assert.ok(performance.now() - started >= 1100, "8 calls at 5/s with burst 2 take at least 1.2 s");
    const seen = await stats(skylark.url);
    assert.is(seen.throttled, 0);
    assert.is(seen.searches, 8);
    const searchesAfter = (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === "skylark")!.searches;
    assert.is(searchesAfter - searchesBefore, 8n);
  } finally {
    await server.close(1000);
    await f.close();
    await Promise.all([skylark.close(), casa.close(), wanderly.close()]);
  }
});

test.run();
