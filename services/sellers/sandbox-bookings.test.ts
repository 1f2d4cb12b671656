// The adapters' bookings against the real sandbox sellers (sandbox/, in
// process, a tiny inventory): items built from the catalog ids our own
// adapters produce (pulled listings, live quotes) map back to ids the
// sellers accept; a ref is booked once however often it is sent; the
// sellers' refuse mode comes back as a refusal, their fail and down modes
// as thrown errors (retried by the consumer).
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection, silentContext } from "../../endpoints/testing.js";
import { ItemSchema, type Item } from "../../gen/itinera/type/v1/item_pb.js";
import { startCasa } from "../../sandbox/casa.js";
import { generateInventory } from "../../sandbox/inventory.js";
import { startSkylark } from "../../sandbox/skylark.js";
import { startWanderly } from "../../sandbox/wanderly.js";
import { hotelIdOf, type Listings, type SellerAdapter } from "./adapter.js";
import { createAdapters } from "./adapters/index.js";
import { addDays, parseDate } from "./calendar.js";
import { FxTable, SANDBOX_FX_RATES } from "./fx.js";

const TODAY = "2026-03-26";
const checkIn = addDays(parseDate(TODAY), 1);
const checkOut = addDays(parseDate(TODAY), 3);

async function post(url: string, body: unknown) {
  const res = await fetch(url, { method: "POST", body: JSON.stringify(body) });
  assert.is(res.status, 200, url);
  await res.body?.cancel();
}

async function bookings(url: string): Promise<{ booking_ref: string; confirmation: string | null; status: string; requests: number }[]> {
  return (await (await fetch(`${url}/admin/bookings`)).json()) as never;
}

async function firstPage(adapter: SellerAdapter): Promise<Listings> {
  for await (const page of adapter.pullListings!(silentContext())) return page;
  throw new Error("no listings");
}

const stayItem = (sellerId: string, hotelId: string, roomId: string): Item =>
  create(ItemSchema, { sellerId, title: "a room", kind: { case: "hotelStay", value: { hotelId, roomId, checkIn, checkOut, starRating: 3 } } });

test("each sandbox seller books our catalog ids once per ref, refuses in refuse mode, and throws when failing or down", async () => {
  const inventory = generateInventory({ seed: 11, today: TODAY, cities: 2, hotelsPerCity: 3, days: 6, pairs: 2 });
  const skylark = await startSkylark({ inventory });
  const casa = await startCasa({ inventory });
  const wanderly = await startWanderly({ inventory, webhookUrl: "http://127.0.0.1:9/unused", secret: "s", intervalMs: 0, pushOnStart: false, share: 0.5 });
  const adapters = createAdapters(
    { skylark: skylark.url, casa: casa.url, wanderly: wanderly.url },
    { fx: new FxTable(SANDBOX_FX_RATES), breaker: { volumeThreshold: 100 }, bookTimeoutMs: 2000, now: () => new Date(`${TODAY}T10:00:00Z`) },
  );
  const adapter = (id: string) => adapters.find((a) => a.id === id)!;
  try {
    // Catalog ids as our own ingestion makes them.
    const flight = (await firstPage(adapter("skylark"))).flights.find((f) => f.departureDate?.day === checkIn.day)!;
    const hotel = (await firstPage(adapter("casa"))).hotels[0]!;
    const property = wanderly.offer.hotels[0]!.code;
    const offers = await adapter("wanderly").quoteHotelStay!(silentContext(), hotelIdOf(property), { checkIn, checkOut });
    const items: [string, string, Item][] = [
      ["skylark", skylark.url, create(ItemSchema, { sellerId: "skylark", title: "a flight", kind: { case: "flightTrip", value: { outboundFlightId: flight.flightId } } })],
      ["casa", casa.url, stayItem("casa", hotel.hotelId, hotel.rooms[0]!.roomId)],
      ["wanderly", wanderly.url, stayItem("wanderly", offers[0]!.hotelId, offers[0]!.roomId)],
    ];

    for (const [id, url, item] of items) {
      const seller = adapter(id);
      const first = await seller.book!(silentContext(), `res_${id}_1`, item);
      assert.is(first.status, "confirmed", `${id}: ${JSON.stringify(first)}`);
      assert.equal(await seller.book!(silentContext(), `res_${id}_1`, item), first, `${id}: a repeated ref answers the first booking`);
      assert.equal(
        (await bookings(url)).map((b) => [b.booking_ref, b.status, b.requests, b.confirmation]),
        [[`res_${id}_1`, "CONFIRMED", 2, first.status === "confirmed" ? first.reference : null]],
        `${id}: one booking, asked twice`,
      );

      await post(`${url}/admin/bookings`, { refuse: "all" });
      const refused = await seller.book!(silentContext(), `res_${id}_2`, item);
      assert.is(refused.status, "refused", id);
      assert.match(refused.status === "refused" ? refused.reason : "", /no availability/);

      await post(`${url}/admin/mode`, { mode: "fail" });
      assert.is((await kitRejection(seller.book!(silentContext(), `res_${id}_3`, item))).code, Code.Unavailable, `${id} failing`);
      await post(`${url}/admin/mode`, { mode: "down" });
      assert.is((await kitRejection(seller.book!(silentContext(), `res_${id}_3`, item))).code, Code.Unavailable, `${id} down`);
      await post(`${url}/admin/mode`, { mode: "normal" });
      await post(`${url}/admin/bookings`, { refuse: "none" });
      assert.is((await seller.book!(silentContext(), `res_${id}_3`, item)).status, "confirmed", `${id} back`);
    }
  } finally {
    adapters.forEach((a) => a.close());
    await Promise.all([skylark.close(), casa.close(), wanderly.close()]);
  }
});

test.run();
