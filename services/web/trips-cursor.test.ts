// ListTrips' cursor carries the two sources' own page tokens: the longest
// ones booking and payment write fit in one ListTrips token and come back
// unchanged; text of another shape is no cursor.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { pageTokens } from "../../endpoints/page-tokens.js";
import { reservationCursor } from "../booking/list-cursor.js";
import { paymentCursor } from "../payment/list-cursor.js";
import { tripsCursor } from "./trips-cursor.js";

test("the longest page tokens booking and payment write ride in one ListTrips token and come back unchanged", () => {
  const reservations = pageTokens({ secret: "b", list: "ListReservations", codec: reservationCursor, scopeIs: "customer" }).encode(["cus_a"], 9_223_372_036_854_775_807n);
  const payments = pageTokens({ secret: "p", list: "ListPayments", codec: paymentCursor, scopeIs: "customer and states" }).encode(["cus_a", "1,3,4"], `pay_${"f".repeat(32)}`);
  const trips = pageTokens({ secret: "w", list: "ListTrips", codec: tripsCursor, scopeIs: "customer" });
  for (const cursor of [{ reservations, payments }, { reservations: "", payments }, { reservations: undefined, payments: "" }, { reservations, payments: undefined }]) {
    assert.equal(trips.decode(["cus_a"], trips.encode(["cus_a"], cursor)), cursor);
  }
});

test("a cursor pointing nowhere, of another shape or with a token no service writes is no cursor", () => {
  for (const text of ["[null,null]", "[]", '["a"]', '["a","b","c"]', '{"r":"a","p":"b"}', "[5,null]", '["a b",null]', `["${"a".repeat(201)}",null]`, "not json"]) {
    assert.is(tripsCursor.read(text), undefined, text);
  }
});

test.run();
