// ListReservations pages: newest first, keyset (a reservation made while
// paging neither repeats nor shifts a page), and page tokens that are
// refused when edited or presented by another customer.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { bookingFixture, createRequest, failure, type BookingFixture } from "./fixture.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import { reservationCursor } from "./list-cursor.js";

let f: BookingFixture;
const made: string[] = [];
test.before(async () => {
  f = await bookingFixture();
  for (let i = 0; i < 7; i++) {
    const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "pia" }));
    made.push(reservation!.reservationId);
  }
  await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "quentin" }));
});
test.after(async () => {
  await f.close();
});

const list = (pageToken = "", pageSize = 3, customerId = "pia") =>
  f.client.listReservations(f.customer(customerId), { pageSize, pageToken });

test("pages of three, newest first, until an empty token; a reservation made meanwhile does not disturb the pages", async () => {
  const first = await list();
  assert.equal(first.reservations.map((r) => r.reservationId), [made[6], made[5], made[4]]);
  assert.ok(first.nextPageToken !== "");
  const newer = (await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "pia" }))).reservation!.reservationId;
  const second = await list(first.nextPageToken);
  assert.equal(second.reservations.map((r) => r.reservationId), [made[3], made[2], made[1]]);
  const third = await list(second.nextPageToken);
  assert.equal(third.reservations.map((r) => r.reservationId), [made[0]]);
  assert.is(third.nextPageToken, "");
  const fresh = await list("", 1);
  assert.equal(fresh.reservations.map((r) => r.reservationId), [newer]);
});

test("a full last page ends with an empty token; 0 means the default of 20", async () => {
  const all = await list("", 0);
  assert.is(all.reservations.length, 8);
  assert.is(all.nextPageToken, "");
  const exact = await list("", 8);
  assert.equal([exact.reservations.length, exact.nextPageToken], [8, ""]);
});

test("an edited token, a made-up one and another customer's are INVALID_ARGUMENT on page_token", async () => {
  const { nextPageToken } = await list();
  const [seq, mac] = nextPageToken.split(".") as [string, string];
  const edited = `${Buffer.from("999999").toString("base64url")}.${mac}`;
  const forged = pageTokens({ secret: "not-the-secret", list: "ListReservations", codec: reservationCursor, scopeIs: "customer" }).encode(["pia"], 5n);
  for (const token of [edited, forged, `${seq}.${mac}x`, "garbage", `${seq}`]) {
    const e = await failure(list(token));
    assert.is(e.code, Code.InvalidArgument, token);
    assert.equal(e.violations.map((v) => v.field), ["page_token"]);
  }
  const theirs = await failure(list(nextPageToken, 3, "quentin"));
  assert.equal([theirs.code, theirs.violations.map((v) => v.field)], [Code.InvalidArgument, ["page_token"]]);
});

test("a page size out of range is INVALID_ARGUMENT on page_size", async () => {
  for (const size of [-1, 101]) {
    const e = await failure(list("", size));
    assert.equal([e.code, e.violations.map((v) => v.field)], [Code.InvalidArgument, ["page_size"]]);
  }
});

test.run();
