// The read side end to end, over the real wire: sandbox sellers → sellers →
// catalog and pricing → search, with the wallet's markdown. Every call below
// goes through a real gRPC server of the service, and every service through
// its peers' real servers, on a real PostgreSQL (readside.fixture.ts).
import type { MessageInitShape } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../endpoints/errors.js";
import { PriceSource } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { PriceStatus, type HotelQuerySchema } from "../gen/itinera/search/v1/search_pb.js";
import { CreditReason } from "../gen/itinera/wallet/v1/wallet_pb.js";
import type { Hotel } from "../sandbox/inventory.js";
import { checkFlights, checkHotelPrices, hotelId, stayOffers } from "./checks.js";
import { casaTotal, dayFromToday, drain, eventually, failure, roomsOf, sellable, wanderlyTotal, type CalendarDay } from "./expected.js";
import { startReadSide, type ReadSide } from "./readside.fixture.js";

let rs: ReadSide;
const RICH = "c-e2e-rich";
const BALANCE = 5000n; // 50.00 EUR in the wallet
const STAY = { from: 3, to: 5 }; // two nights, three days from today
const CITY = "madrid-es";

test.before(async () => {
  rs = await startReadSide();
});
test.after(async () => {
  await rs?.close();
});

const inv = () => rs.inventory;
const cityHotels = () => inv().hotels.filter((h) => h.cityId === CITY);
const sharedHotels = () => cityHotels().filter((h) => rs.sandbox.wanderly.offer.sellsHotel(h.code));
type HotelQueryInit = MessageInitShape<typeof HotelQuerySchema>;
type QueryChange = { query?: string; checkIn?: CalendarDay; checkOut?: CalendarDay; pageSize?: number };
/** A hotel search; the customer it is for is the caller's token (rs.customerCtx), never a field. */
const hotelQuery = (change: QueryChange = {}): HotelQueryInit => ({
  query: "Madrid",
  checkIn: dayFromToday(inv(), STAY.from),
  checkOut: dayFromToday(inv(), STAY.to),
  ...change,
});
const setMode = async (seller: { url: string }, mode: string) => {
  const res = await fetch(`${seller.url}/admin/mode`, { method: "POST", body: JSON.stringify({ mode }) });
  assert.is(res.status, 200, await res.text());
};

test("ingestion through the real path: SyncSeller pulls skylark and casa, wanderly pushes to the webhook", async () => {
  const { sellers, catalog } = rs.clients;
  const sky = await sellers.syncSeller(rs.ctx(60_000), { sellerId: "skylark" });
  assert.is(sky.flights, inv().flights.length * inv().days, "every flight on every day of the window");
  const casa = await sellers.syncSeller(rs.ctx(60_000), { sellerId: "casa" });
  assert.is(casa.hotels, 15);
  assert.is(casa.rates, 15 * 4 * inv().days, "4 rooms a hotel, every night of the window");

  const pushed = await fetch(`${rs.sandbox.wanderly.url}/admin/push-now`, { method: "POST" });
  assert.is(pushed.status, 202);
  const { queued } = (await pushed.json()) as { queued: number };
  assert.ok(queued > 0);
  await rs.sandbox.wanderly.pushesIdle();
  const stats = (await (await fetch(`${rs.sandbox.wanderly.url}/admin/stats`)).json()) as Record<string, number>;
  assert.is(stats.pushes_sent, queued);
  assert.is(stats.push_failures, 0);

  // Catalog: every hotel, those wanderly sells listed by both sellers; airports and flights.
  const hotels = (await catalog.getHotels(rs.ctx(5000), { hotelIds: inv().hotels.map(hotelId) })).hotels;
  assert.is(hotels.length, 15);
  const byWanderly = hotels.filter((h) => h.sellerIds.includes("wanderly")).map((h) => h.hotelId).sort();
  assert.equal(byWanderly, rs.sandbox.wanderly.offer.hotels.map(hotelId).sort());
  assert.ok(hotels.every((h) => h.sellerIds.includes("casa") && h.rooms.length === 4));
  const airports = (await catalog.getAirports(rs.ctx(5000), { codes: ["LIS", "OPO", "MAD"] })).airports;
  assert.is(airports.length, 3);
  const lisMad = await catalog.listFlights(rs.ctx(5000), { origin: "LIS", destination: "MAD", departureDate: dayFromToday(inv(), 4) });
  assert.equal(lisMad.flights.map((f) => f.flightNumber).sort(), inv().flightsByRoute.get("LIS-MAD")!.map((f) => f.number).sort());

  // Pricing: precomputed totals for the stay, casa's in EUR as casa lists them, wanderly's from GBP at 1.17.
  const offers = await stayOffers(rs, STAY);
  const casaOffers = offers.filter((o) => o.sellerId === "casa");
  const wanderlyOffers = offers.filter((o) => o.sellerId === "wanderly");
  // A stay with a sold-out night has no total: count the rooms left on every night.
  const rooms = (hotels: readonly Hotel[]) =>
    hotels.flatMap((h) => h.rooms.filter((r) => sellable(inv(), h, r.code, STAY.from, STAY.to))).length;
  assert.is(casaOffers.length, rooms(inv().hotels));
  assert.is(wanderlyOffers.length, rooms(rs.sandbox.wanderly.offer.hotels));
  assert.ok(casaOffers.length > 40 && wanderlyOffers.length > 8);
  assert.ok(offers.every((o) => o.source === PriceSource.FRESH && o.total?.currency === "EUR"));
  for (const o of casaOffers) {
    const hotel = inv().hotelByCode.get(o.hotelId.slice(2))!;
    assert.is(o.listTotal!.amountMinor, casaTotal(inv(), hotel, o.roomId, STAY.from, STAY.to), `${o.hotelId}/${o.roomId} at casa`);
  }
  for (const o of wanderlyOffers) {
    const hotel = inv().hotelByCode.get(o.hotelId.slice(2))!;
    const expected = wanderlyTotal(rs.sandbox.wanderly.offer, inv(), hotel, o.roomId, STAY.from, STAY.to);
    assert.is(o.listTotal!.amountMinor, expected, `${o.hotelId}/${o.roomId} at wanderly`);
  }

  const listed = (await sellers.listSellers(rs.ctx(5000), {})).sellers;
  assert.equal(listed.map((s) => s.sellerId).sort(), ["casa", "skylark", "wanderly"]);
  assert.ok(listed.every((s) => s.lastSyncTime !== undefined && s.breakerState === "closed"));
});

test("hotel search: per-seller choice; listed − markdown with a wallet balance, the listed price without", async () => {
  const { search, wallet } = rs.clients;
  await wallet.credit(rs.serviceCtx(5000), {
    idempotencyKey: "e2e-readside-credit",
    customerId: RICH,
    amount: { amountMinor: BALANCE, currency: "EUR" },
    reason: CreditReason.PROMOTION,
    reference: "e2e",
  });
  await search.searchHotels(await rs.customerCtx(RICH, 5000), { query: hotelQuery() }); // opens search's connections to its peers

  const rich = (await search.searchHotels(await rs.customerCtx(RICH, 5000), { query: hotelQuery() })).results!;
  assert.ok(rich.complete);
  assert.equal(rich.degraded, []);
  const richRooms = await checkHotelPrices(rs, rich, cityHotels(), STAY, BALANCE);
  const priced = [...richRooms.values()].filter((r) => r.price!.status === PriceStatus.FRESH);
  assert.ok(priced.length >= 15 && priced.every((r) => r.price!.markdown!.amountMinor > 0n));

  // The hotels two sellers sell show each room's cheaper seller (checked above), and
  // that is not always the same seller: wanderly undercuts casa on some of them.
  const shared = new Set(sharedHotels().map(hotelId));
  assert.ok(shared.size >= 2, "the city has hotels wanderly sells too");
  const sharedRooms = [...roomsOf(rich.hotels, shared).values()].filter((r) => r.price!.status === PriceStatus.FRESH);
  assert.ok(sharedRooms.length > 0 && sharedRooms.every((r) => r.offerCount === 2));
  assert.ok(sharedRooms.some((r) => r.price!.sellerId === "wanderly"), "wanderly chosen where cheaper");
  assert.ok([...richRooms.values()].some((r) => r.price!.sellerId === "casa"));

  const poor = (await search.searchHotels(await rs.customerCtx("c-e2e-nobody", 5000), { query: hotelQuery() })).results!;
  const poorRooms = await checkHotelPrices(rs, poor, cityHotels(), STAY, 0n);
  for (const [key, room] of poorRooms) {
    const [p, rich] = [room.price!, richRooms.get(key)!.price!];
    assert.equal([p.status, p.sellerId, p.listed?.amountMinor], [rich.status, rich.sellerId, rich.listed?.amountMinor], key);
    assert.is(p.price?.amountMinor, p.listed?.amountMinor, `${key}: no markdown`);
  }

  // The stream: a first step (the listing) before the last, which is complete and priced like the unary answer.
  const steps = [];
  for await (const step of search.streamHotels(await rs.customerCtx(RICH, 5000), { query: hotelQuery() })) steps.push(step.results!);
  assert.ok(steps.length >= 2, `${steps.length} steps`);
  assert.is(steps[0]!.complete, false);
  assert.ok(steps[0]!.hotels.length > 0, "the first step already lists hotels");
  assert.is(steps.slice(0, -1).some((s) => s.complete), false);
  const last = steps[steps.length - 1]!;
  assert.is(last.complete, true);
  await checkHotelPrices(rs, last, cityHotels(), STAY, BALANCE);
});

test("flight search one way and return; an unknown airport is InvalidArgument naming the field", async () => {
  const { search } = rs.clients;
  const oneWay = (await search.searchFlights(await rs.customerCtx(RICH, 5000), {
    query: { origin: "LIS", destination: "MAD", departureDate: dayFromToday(inv(), 4) },
  })).results!;
  assert.equal(oneWay.degraded, []);
  assert.equal(oneWay.inbound, []);
  assert.is(oneWay.walletAvailable?.amountMinor, BALANCE);
  assert.ok((await checkFlights(rs, oneWay.outbound, ["LIS", "MAD"], 4, BALANCE)) > 0);
  // Wanderly sells some of skylark's flights: those have two offers.
  const resold = oneWay.outbound.filter((f) => rs.sandbox.wanderly.offer.sellsFlight(f.flightNumber));
  assert.ok(resold.every((f) => f.offerCount === 2));

  const back = (await search.searchFlights(rs.ctx(5000), {
    query: { origin: "LIS", destination: "MAD", departureDate: dayFromToday(inv(), 4), returnDate: dayFromToday(inv(), 7) },
  })).results!;
  assert.equal(back.degraded, []);
  await checkFlights(rs, back.outbound, ["LIS", "MAD"], 4, 0n);
  assert.ok((await checkFlights(rs, back.inbound, ["MAD", "LIS"], 7, 0n)) > 0);

  for (const field of ["origin", "destination"] as const) {
    const query = { origin: "LIS", destination: "MAD", departureDate: dayFromToday(inv(), 4), [field]: "ZZZ" };
    const err = await failure(search.searchFlights(rs.ctx(5000), { query }));
    assert.is(err.code, Code.InvalidArgument, err.message);
    assert.equal(err.violations.map((v) => v.field), [`query.${field}`]);
    assert.match(err.message, `query.${field}`);
  }
});

test("bad input at the edge: InvalidArgument naming the field", async () => {
  const cases: [string, QueryChange, string][] = [
    ["check-out before check-in", { checkIn: dayFromToday(inv(), 5), checkOut: dayFromToday(inv(), 3) }, "query.check_out"],
    ["a past check-in", { checkIn: dayFromToday(inv(), -2), checkOut: dayFromToday(inv(), 1) }, "query.check_in"],
    ["an empty query", { query: "" }, "query.query"],
    ["a page size over the limit", { pageSize: 51 }, "query.page_size"],
  ];
  for (const [what, change, field] of cases) {
    for (const call of [
      () => rs.clients.search.searchHotels(rs.ctx(5000), { query: hotelQuery(change) }),
      () => drain(rs.clients.search.streamHotels(rs.ctx(5000), { query: hotelQuery(change) })),
    ]) {
      const err = await failure(call());
      assert.is(err.code, Code.InvalidArgument, `${what}: ${err.message}`);
      assert.equal(err.violations.map((v) => v.field), [field], what);
      assert.match(err.message, field, what);
    }
  }
  const past = await failure(rs.clients.search.searchFlights(rs.ctx(5000), {
    query: { origin: "LIS", destination: "MAD", departureDate: dayFromToday(inv(), -1) },
  }));
  assert.equal([past.code, past.violations.map((v) => v.field)], [Code.InvalidArgument, ["query.departure_date"]]);
});

test("casa down: search answers in time with cached prices and the invalidated room STALE; the breaker opens, then closes", async () => {
  const { search, sellers, pricing } = rs.clients;
  const ids = new Set(cityHotels().map(hotelId));
  const before = roomsOf((await search.searchHotels(await rs.customerCtx(RICH, 5000), { query: hotelQuery() })).results!.hotels, ids);
  // A priced room of a hotel only casa sells: nobody else can price it while casa is down.
  const casaOnly = new Set(cityHotels().filter((h) => !rs.sandbox.wanderly.offer.sellsHotel(h.code)).map(hotelId));
  const staleKey = [...before].find(([key, r]) => casaOnly.has(key.split("/")[0]!) && r.price!.status === PriceStatus.FRESH)![0];
  const [staleHotel, staleRoom] = staleKey.split("/") as [string, string];
  const stale = { hotelId: staleHotel, roomId: staleRoom };
  const casaState = async () => (await sellers.listSellers(rs.ctx(5000), {})).sellers.find((s) => s.sellerId === "casa")!.breakerState;

  assert.is(await casaState(), "closed");
  await setMode(rs.sandbox.casa, "down");
  const { totals } = await pricing.invalidateRoom(rs.ctx(5000), { ...stale, reason: "e2e: availability threshold reached" });
  assert.ok(totals > 0);

  // Each search asks casa live for the invalidated room; casa's failures open its breaker.
  let searches = 0;
  for (; searches < 40 && (await casaState()) !== "open"; searches++) {
    // The caller's own 1 s deadline: an answer at all is an answer in time.
    const results = (await search.searchHotels(await rs.customerCtx(RICH, 1000), { query: hotelQuery() })).results!;
    assert.equal(results.degraded, []);
    const rooms = roomsOf(results.hotels, ids);
    for (const [key, room] of rooms) {
      const was = before.get(key)!.price!;
      assert.is(room.price!.status, key === staleKey ? PriceStatus.STALE : was.status, key);
      assert.is(room.price!.listed?.amountMinor, was.listed?.amountMinor, `${key}: the cached price`);
      assert.is(room.price!.sellerId, was.sellerId, key);
    }
  }
  assert.is(await casaState(), "open", `after ${searches} searches`);
  assert.ok(searches > 0, "closed until casa failed");
  const whileOpen = roomsOf((await search.searchHotels(await rs.customerCtx(RICH, 1000), { query: hotelQuery() })).results!.hotels, ids);
  assert.is(whileOpen.get(staleKey)!.price!.status, PriceStatus.STALE);

  // Casa returns; after the reset timeout one probe goes through and closes the breaker.
  await setMode(rs.sandbox.casa, "normal");
  await eventually("casa's breaker half-open", async () => ((await casaState()) === "half-open" ? true : undefined), 10_000);
  const live = await eventually(
    "the room priced live by casa again",
    async () => {
      const rooms = roomsOf((await search.searchHotels(await rs.customerCtx(RICH, 1000), { query: hotelQuery() })).results!.hotels, ids);
      return rooms.get(staleKey)!.price!.status === PriceStatus.FRESH ? rooms : undefined;
    },
    10_000,
  );
  assert.equal([live.get(staleKey)!.price!.sellerId, live.get(staleKey)!.price!.listed?.amountMinor], ["casa", before.get(staleKey)!.price!.listed?.amountMinor]);
  assert.is(await casaState(), "closed");

  // A re-sync makes the stored totals fresh again, without asking anyone live.
  await sellers.syncSeller(rs.ctx(60_000), { sellerId: "casa" });
  const stored = (await stayOffers(rs, STAY)).find((o) => o.hotelId === stale.hotelId && o.roomId === stale.roomId && o.sellerId === "casa")!;
  assert.is(stored.source, PriceSource.FRESH);
  const after = roomsOf((await search.searchHotels(await rs.customerCtx(RICH, 1000), { query: hotelQuery() })).results!.hotels, ids);
  assert.is(after.get(staleKey)!.price!.status, PriceStatus.FRESH);
});

test.run();
