import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightResultSchema, PriceStatus, RoomResultSchema } from "../../../gen/itinera/search/v1/search_pb.js";
import { flightTripBooking, hotelStayBooking, newIdempotencyKey, withFlexible } from "./items.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const price = (listed: bigint, markdown: bigint, seller: string, quote = `quote-${seller}-${listed}`) => ({
  listed: eur(listed),
  markdown: eur(markdown),
  price: eur(listed - markdown),
  flexible: eur(listed / 10n),
  status: PriceStatus.FRESH,
  sellerId: seller,
  quote,
});
const room = create(RoomResultSchema, { roomId: "r1", name: "Double room", price: price(45000n, 2500n, "casa") });

test("a room books with search's quote: the page sends no price, and shows the total with and without the flexible option", () => {
  const b = hotelStayBooking(room);
  if ("problem" in b) throw new Error(b.problem);
  assert.equal(b.quotes, ["quote-casa-45000"]);
  assert.equal(b.total, eur(42500n), "listed minus the wallet markdown");
  assert.equal(b.flexible, eur(4500n));
  assert.equal(withFlexible(b, true), eur(47000n));
  assert.equal(withFlexible(b, false), eur(42500n));
});

test("a room without a price, or without a quote (a visitor, the wallet not answering), cannot be booked", () => {
  const unpriced = create(RoomResultSchema, { roomId: "r2", name: "Suite", price: { status: PriceStatus.MISSING } });
  assert.ok("problem" in hotelStayBooking(unpriced));
  const unquoted = create(RoomResultSchema, { roomId: "r3", name: "Twin", price: price(1000n, 0n, "casa", "") });
  const b = hotelStayBooking(unquoted);
  assert.ok("problem" in b && /sign in/.test(b.problem));
});

const flight = (id: string, number: string, from: string, to: string, amount: bigint, seller = "skylark") =>
  create(FlightResultSchema, {
    flightId: id,
    flightNumber: number,
    origin: from,
    destination: to,
    departureLocal: "2026-12-01T08:15:00+00:00",
    price: price(amount, 0n, seller, `quote-${id}`),
  });

test("a one-way flight books with its own quote and price", () => {
  const b = flightTripBooking(flight("SL1-2026-12-01", "SL1", "LIS", "LHR", 12000n));
  if ("problem" in b) throw new Error(b.problem);
  assert.equal(b.quotes, ["quote-SL1-2026-12-01"]);
  assert.equal(b.total, eur(12000n));
  assert.equal(b.flexible, eur(1200n));
});

test("a return trip sends both quotes, adds both listed prices as bigints and takes the wallet off once", () => {
  const b = flightTripBooking(flight("o", "SL1", "LIS", "LHR", 12001n), flight("i", "SL2", "LHR", "LIS", 9999n), eur(5000n));
  if ("problem" in b) throw new Error(b.problem);
  assert.equal(b.quotes, ["quote-o", "quote-i"]);
  assert.equal(b.total, eur(17000n), "22000 listed − 5000 from the wallet");
  assert.equal(b.flexible, eur(1200n + 999n));
  const halfAtMost = flightTripBooking(flight("o", "SL1", "LIS", "LHR", 12001n), flight("i", "SL2", "LHR", "LIS", 9999n), eur(90000n));
  if ("problem" in halfAtMost) throw new Error(halfAtMost.problem);
  assert.equal(halfAtMost.total, eur(11000n), "the wallet pays at most half");
});

test("flights of two sellers cannot be one booking", () => {
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
