// Search's caches over the real processes (make start's supervisor): a
// search repeated is answered from search's cache (its /metrics count the
// hit), and a seller's new price, ingested by pricing, shows in the very
// next searches — pricing's change signal, sent on commit, dropped what search
// kept — without waiting for the cache's TTL (60 s, far beyond this test's
// deadline for the new price).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { until } from "../platform/processes.testing.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import { startMarketplace, type Marketplace, type Offer } from "./marketplace.fixture.js";

let m: Marketplace;
let offer: Offer;

test.before(async () => {
  // Search and what it reads (catalog, pricing, wallet), fed by sellers from the casa sandbox's hotels: nothing of
  // booking, payment or mail plays a part.
  m = await startMarketplace({}, { only: ["identity", "casa", "catalog", "pricing", "wallet", "sellers", "search"] });
  offer = (await m.findStays(undefined, 1))[0]!;
});

test.after(async () => {
  await m?.close();
});

async function offersHits(): Promise<number> {
  const text = await (await fetch(`${m.system.url("search")}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith('search_cache_lookups_total{cache="offers",result="hit"}'));
  return line ? Number(line.split(" ")[1]) : 0;
}

test("a repeated search is served from the cache; a new price ingested shows at once", async () => {
  const stay = offer.item.kind.case === "hotelStay" ? offer.item.kind.value : undefined;
  assert.ok(stay);
  if (!stay) return;
  const asWeb = await m.service("web");
  const query = { query: "Lisbon", checkIn: stay.checkIn, checkOut: stay.checkOut, pageSize: 20 };
  const listed = async () => {
    const res = await m.clients.search.searchHotels(m.ctx(asWeb), { query });
    const room = res.results!.hotels.find((h) => h.hotelId === stay.hotelId)?.rooms.find((r) => r.roomId === stay.roomId);
    return room?.price?.listed?.amountMinor;
  };

  const before = await listed();
  assert.ok(before !== undefined && before > 0n, "the room has a price");
  const hits = await offersHits();
  assert.is(await listed(), before);
  assert.ok((await offersHits()) > hits, "the second search was answered from the cache");

  // The seller drops the room's price: one cent a night, below any other seller's.
  const nights: { year: number; month: number; day: number }[] = [];
  for (let d = new Date(Date.UTC(stay.checkIn!.year, stay.checkIn!.month - 1, stay.checkIn!.day)); ; d = new Date(d.getTime() + 86_400_000)) {
    const night = { year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
    if (night.year === stay.checkOut!.year && night.month === stay.checkOut!.month && night.day === stay.checkOut!.day) break;
    nights.push(night);
  }
  const pricing = clientOf(PricingService, grpcTransport(m.system.url("pricing")));
  await pricing.ingestHotelRates(m.ctx(await m.service("sellers")), {
    sellerId: offer.item.sellerId,
    rates: nights.map((night) => ({ hotelId: stay.hotelId, roomId: stay.roomId, night, price: { amountMinor: 1n, currency: "EUR" }, available: 3 })),
  });
  const expected = BigInt(nights.length);
  assert.is(await until("the new price in search", async () => ((await listed()) === expected ? true : undefined), 10_000), true);
});

test.run();
