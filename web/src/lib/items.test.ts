import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightResultSchema, HotelResultSchema, PriceStatus, RoomResultSchema } from "../../../gen/itinera/search/v1/search_pb.js";
import { ItemSchema } from "../../../gen/itinera/type/v1/item_pb.js";
import { flightTripBooking, hotelStayBooking, newIdempotencyKey } from "./items.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const price = (listed: bigint, markdown: bigint, seller: string) => ({
  listed: eur(listed),
  markdown: eur(markdown),
  price: eur(listed - markdown),
  status: PriceStatus.FRESH,
  sellerId: seller,
});
const hotel = create(HotelResultSchema, { hotelId: "h1", name: "Hotel Aurora", cityName: "Lisbon", starRating: 4 });
const room = create(RoomResultSchema, { roomId: "r1", name: "Double room", price: price(45000n, 2500n, "casa") });
const d = (year: number, month: number, day: number) => ({ year, month, day });

test("a room books as a hotel stay at the personal price shown", () => {
  const b = hotelStayBooking(hotel, room, d(2026, 12, 1), d(2026, 12, 4));
  if ("problem" in b) throw new Error(b.problem);
  const item = create(ItemSchema, b.item);
  assert.is(item.sellerId, "casa");
  assert.is(item.title, "Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.is(item.kind.case, "hotelStay");
  if (item.kind.case !== "hotelStay") return;
  assert.is(item.kind.value.hotelId, "h1");
  assert.is(item.kind.value.roomId, "r1");
  assert.is(item.kind.value.starRating, 4);
  assert.equal({ ...item.kind.value.checkIn }, { $typeName: "itinera.type.v1.Date", year: 2026, month: 12, day: 1 });
  assert.equal(b.shownPrice, eur(42500n), "listed minus the wallet markdown");
});

test("a room without a price cannot be booked", () => {
  const unpriced = create(RoomResultSchema, { roomId: "r2", name: "Suite", price: { status: PriceStatus.MISSING } });
  const b = hotelStayBooking(hotel, unpriced, d(2026, 12, 1), d(2026, 12, 2));
  assert.ok("problem" in b);
});

const flight = (id: string, number: string, from: string, to: string, amount: bigint, seller = "skylark") =>
  create(FlightResultSchema, {
    flightId: id,
    flightNumber: number,
    origin: from,
    destination: to,
    departureLocal: "2026-12-01T08:15:00+00:00",
    price: price(amount, 0n, seller),
  });

test("a one-way flight books with its own price", () => {
  const b = flightTripBooking(flight("SL1-2026-12-01", "SL1", "LIS", "LHR", 12000n));
  if ("problem" in b) throw new Error(b.problem);
  const item = create(ItemSchema, b.item);
  assert.is(item.kind.case, "flightTrip");
  if (item.kind.case !== "flightTrip") return;
  assert.is(item.kind.value.outboundFlightId, "SL1-2026-12-01");
  assert.is(item.kind.value.returnFlightId, "");
  assert.is(item.kind.value.origin, "LIS");
  assert.is(item.kind.value.destination, "LHR");
  assert.is(item.title, "SL1 LIS → LHR, Tue 1 Dec");
  assert.equal(b.shownPrice, eur(12000n));
});

test("a return trip adds both listed prices as bigints and takes the wallet off once", () => {
  const b = flightTripBooking(flight("o", "SL1", "LIS", "LHR", 12001n), flight("i", "SL2", "LHR", "LIS", 9999n), eur(5000n));
  if ("problem" in b) throw new Error(b.problem);
  const item = create(ItemSchema, b.item);
  assert.is(item.kind.case === "flightTrip" && item.kind.value.returnFlightId, "i");
  assert.is(item.kind.case === "flightTrip" && item.kind.value.origin, "LIS", "the outbound's route");
  assert.equal(b.shownPrice, eur(17000n), "22000 listed − 5000 from the wallet");
  const halfAtMost = flightTripBooking(flight("o", "SL1", "LIS", "LHR", 12001n), flight("i", "SL2", "LHR", "LIS", 9999n), eur(90000n));
  if ("problem" in halfAtMost) throw new Error(halfAtMost.problem);
  assert.equal(halfAtMost.shownPrice, eur(11000n), "the wallet pays at most half");
});

test("flights of two sellers cannot be one item", () => {
  const b = flightTripBooking(flight("o", "SL1", "LIS", "LHR", 1n, "skylark"), flight("i", "WL2", "LHR", "LIS", 1n, "wanderly"));
  assert.ok("problem" in b && /different sellers/.test(b.problem));
});

test("each click gets its own key", () => {
  let n = 0;
  const counter = (bytes: Uint8Array) => bytes.fill(n++);
  assert.is(newIdempotencyKey(counter), "web-" + "00".repeat(16));
  assert.is(newIdempotencyKey(counter), "web-" + "01".repeat(16));
  const real = new Set(Array.from({ length: 100 }, () => newIdempotencyKey()));
  assert.is(real.size, 100);
  for (const k of real) assert.match(k, /^web-[0-9a-f]{32}$/);
});

test.run();
