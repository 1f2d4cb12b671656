import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  flightSearchUrl,
  hotelIdOf,
  hotelSearchUrl,
  hotelUrl,
  parseFlightSearch,
  parseHotelSearch,
  parsePaymentReturn,
  routeOf,
  safeNext,
  signInUrl,
  signUpUrl,
} from "./params.js";

const d = (year: number, month: number, day: number) => ({ year, month, day });

test("a hotel search round-trips through its URL", () => {
  const url = hotelSearchUrl({ q: " New York ", checkIn: d(2026, 12, 1), checkOut: d(2026, 12, 4) });
  assert.is(url, "/hotels?q=New+York&in=2026-12-01&out=2026-12-04");
  assert.equal(parseHotelSearch(url.slice("/hotels".length)), { q: "New York", checkIn: d(2026, 12, 1), checkOut: d(2026, 12, 4) });
});

test("bad or missing hotel search parameters read as missing", () => {
  assert.equal(parseHotelSearch("?q=Lisbon&in=2026-02-30"), { q: "Lisbon", checkIn: undefined, checkOut: undefined });
  assert.equal(parseHotelSearch(""), { q: "", checkIn: undefined, checkOut: undefined });
});

test("hotel pages carry the stay and survive odd ids", () => {
  assert.is(hotelUrl("H 1/2", d(2026, 12, 1), d(2026, 12, 2)), "/hotel/H%201%2F2?in=2026-12-01&out=2026-12-02");
  assert.is(hotelIdOf("/hotel/H%201%2F2"), "H 1/2");
  assert.is(hotelUrl("casa-7", undefined, undefined), "/hotel/casa-7");
  assert.is(hotelIdOf("/hotel/"), undefined);
  assert.is(hotelIdOf("/hotel/a/b"), undefined);
  assert.is(hotelIdOf("/hotel/%E0%A4%A"), undefined, "a broken escape is no hotel");
});

test("a flight search round-trips, one way or return", () => {
  const ret = flightSearchUrl({ from: "lis", to: "LHR", date: d(2026, 12, 1), returnDate: d(2026, 12, 8) });
  assert.is(ret, "/flights?from=LIS&to=LHR&date=2026-12-01&return=2026-12-08");
  assert.equal(parseFlightSearch(ret.slice(8)), { from: "LIS", to: "LHR", date: d(2026, 12, 1), returnDate: d(2026, 12, 8) });
  const oneWay = flightSearchUrl({ from: "LIS", to: "JFK", date: d(2026, 12, 1), returnDate: undefined });
  assert.is(oneWay, "/flights?from=LIS&to=JFK&date=2026-12-01");
  assert.is(parseFlightSearch("?from=lis&to=jfk&date=2026-12-01").returnDate, undefined);
});

test("sign-in comes back only to a path of this site", () => {
  assert.is(safeNext("/trips"), "/trips");
  assert.is(safeNext("/hotel/x?in=2026-12-01"), "/hotel/x?in=2026-12-01");
  for (const evil of ["//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", "", null, undefined]) {
    assert.is(safeNext(evil), "/", String(evil));
  }
  assert.is(signInUrl("/trips"), "/signin?next=%2Ftrips");
  assert.is(signInUrl("//evil.example"), "/signin?next=%2F");
  assert.is(signUpUrl("/wallet"), "/signup?next=%2Fwallet");
  assert.is(signUpUrl("/"), "/signup");
});

test("the gateway's return parameters are read", () => {
  assert.equal(parsePaymentReturn("?payment_id=pay_123&status=DECLINED"), { paymentId: "pay_123", status: "declined" });
  assert.equal(parsePaymentReturn(""), { paymentId: "", status: "" });
});

test("each path has its page", () => {
  assert.equal(routeOf("/"), { page: "home" });
  assert.equal(routeOf("/hotels"), { page: "hotels" });
  assert.equal(routeOf("/hotels/"), { page: "hotels" });
  assert.equal(routeOf("/hotel/casa-1"), { page: "hotel", hotelId: "casa-1" });
  assert.equal(routeOf("/flights"), { page: "flights" });
  assert.equal(routeOf("/trips/return"), { page: "trip-return" });
  assert.equal(routeOf("/trips"), { page: "trips" });
  assert.equal(routeOf("/wallet"), { page: "wallet" });
  assert.equal(routeOf("/signin"), { page: "signin" });
  assert.equal(routeOf("/signup"), { page: "signup" });
  assert.equal(routeOf("/verify"), { page: "verify" });
  assert.equal(routeOf("/nope"), { page: "not-found" });
});

test.run();
