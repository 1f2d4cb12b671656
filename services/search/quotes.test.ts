// Search's quotes (quoting.ts): a signed-in customer's priced offers carry a
// quote of exactly what is shown, signed so that payment and the BFF accept
// it for that customer only; a visitor's carry none; the markdown is the
// token's customer's, never a customer id in the body's.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, unavailable } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { DEVELOPMENT_QUOTE_SECRET, quoteVerifier, SOMEONE_ELSES } from "../../platform/quotes.js";
import { backgroundContext } from "../../endpoints/context.js";
import { pino } from "pino";
import { day, NOW, RICH, searchFixture } from "./fixture.js";
import { quoting } from "./quoting.js";

const price = quoteVerifier(DEVELOPMENT_QUOTE_SECRET);
const lisbon = { query: "Lisbon", checkIn: day("2026-12-05"), checkOut: day("2026-12-08") };

test("a signed-in customer's room carries a quote of what is shown: payment's verifier charges exactly the shown price", async () => {
  const f = searchFixture();
  const results = (await f.search.searchHotels(f.as(RICH), { query: lisbon })).results!;
  const alfama = results.hotels.find((h) => h.hotelId === "h-P000001")!;
  const room = alfama.rooms.find((r) => r.roomId === "DBL-STD")!;
  const shown = room.price!;
  assert.equal([shown.listed!.amountMinor, shown.markdown!.amountMinor, shown.price!.amountMinor, shown.flexible!.amountMinor], [50000n, 10000n, 40000n, 5000n]);
  const charged = price({ tokens: [shown.quote], flexible: false, customerId: RICH, now: NOW });
  assert.ok(charged.ok);
  if (!charged.ok) return;
  assert.equal([charged.charge.cardMinor, charged.charge.markdownMinor, charged.charge.currency], [40000n, 10000n, "EUR"]);
  assert.is(charged.charge.item.sellerId, shown.sellerId);
  assert.is(charged.charge.item.title, "Casa Alfama, Lisbon — Double room, 3 nights");
  const kind = charged.charge.item.kind;
  assert.ok(kind?.case === "hotelStay");
  if (kind?.case !== "hotelStay") return;
  assert.equal([kind.value.hotelId, kind.value.roomId, kind.value.starRating], ["h-P000001", "DBL-STD", alfama.starRating]);
  assert.equal([kind.value.checkIn?.day, kind.value.checkOut?.day], [5, 8]);
  // The flexible option adds its shown price.
  const flexible = price({ tokens: [shown.quote], flexible: true, customerId: RICH, now: NOW });
  assert.ok(flexible.ok && flexible.charge.cardMinor === 45000n);
  // Another customer cannot pay with it.
  assert.equal(price({ tokens: [shown.quote], flexible: false, customerId: "c-other", now: NOW }), { ok: false, reason: SOMEONE_ELSES });
});

test("a visitor sees prices and the flexible option but gets no quote; nor does a customer whose wallet did not answer", async () => {
  const f = searchFixture();
  const visitor = (await f.search.searchHotels(f.ctx, { query: lisbon })).results!;
  const priced = visitor.hotels.flatMap((h) => h.rooms).filter((r) => r.price?.listed);
  assert.ok(priced.length > 0);
  for (const r of priced) {
    assert.is(r.price!.quote, "");
    assert.is(r.price!.flexible!.amountMinor, (r.price!.listed!.amountMinor + 9n) / 10n);
  }
  assert.equal(f.wallet.asked, [], "a visitor's search asks no wallet");

  f.wallet.behaviour.fail = unavailable("wallet is down");
  const degraded = (await f.search.searchHotels(f.as(RICH), { query: lisbon })).results!;
  assert.equal(degraded.degraded, ["wallet"]);
  assert.ok(degraded.hotels.flatMap((h) => h.rooms).every((r) => r.price!.quote === ""), "no price to book without the markdown");
});

test("the markdown is the token's customer's: a customer id in the body naming someone else is PERMISSION_DENIED, their own is accepted", async () => {
  const f = searchFixture();
  for (const ctx of [f.ctx, f.as("c-nothing")]) {
    const e = await kitRejection(f.search.searchHotels(ctx, { query: { ...lisbon, customerId: RICH } }));
    assert.is(e.code, Code.PermissionDenied);
    assert.match(e.message, /query\.customer_id names a customer other than the caller/);
    const flights = await kitRejection(f.search.searchFlights(ctx, { query: { origin: "LIS", destination: "MAD", departureDate: day("2026-12-05"), customerId: RICH } }));
    assert.is(flights.code, Code.PermissionDenied);
  }
  assert.equal(f.wallet.asked, [], "the wallet was never asked about the named customer");
  const own = (await f.search.searchHotels(f.as(RICH), { query: { ...lisbon, customerId: RICH } })).results!;
  assert.is(own.walletAvailable!.amountMinor, 10000n);
});

test("a flight and its return: each leg quoted, and the two quotes pay as one trip with the wallet taken off once", async () => {
  const f = searchFixture();
  const results = (
    await f.search.searchFlights(f.as(RICH), { query: { origin: "LIS", destination: "MAD", departureDate: day("2026-12-05"), returnDate: day("2026-12-08") } })
  ).results!;
  const out = results.outbound.find((r) => r.price?.sellerId === "skylark")!;
  const back = results.inbound[0]!;
  const trip = price({ tokens: [out.price!.quote, back.price!.quote], flexible: false, customerId: RICH, now: NOW });
  assert.ok(trip.ok);
  if (!trip.ok) return;
  const listed = out.price!.listed!.amountMinor + back.price!.listed!.amountMinor;
  // 130.00 + 90.00 with a 100.00 balance: the wallet pays 100.00 once, not once per leg.
  assert.equal([trip.charge.listedMinor, trip.charge.markdownMinor, trip.charge.cardMinor], [listed, 10000n, listed - 10000n]);
  assert.is(trip.charge.item.title, `${out.flightNumber} LIS → MAD, 2026-12-05; return ${back.flightNumber} MAD → LIS, 2026-12-08`);
});

test("within a call, the same item at the same amounts is signed once; another amount, seller or room is signed again", () => {
  let signatures = 0;
  const ctx = backgroundContext({ log: pino({ level: "silent" }), principal: { kind: "customer", id: RICH, roles: [] } });
  const q = quoting(() => `quote-${++signatures}`, ctx, NOW);
  const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
  const room = (roomId: string, sellerId = "casa") => ({ sellerId, title: "t", kind: { case: "hotelStay" as const, value: { hotelId: "h1", roomId } } });
  const shown = (listed: bigint) => ({ listed: eur(listed), markdown: eur(listed / 10n), flexible: eur(listed / 10n) });
  const a = q.quoted(room("DBL"), shown(50000n), 10000n).quote;
  assert.is(q.quoted(room("DBL"), shown(50000n), 10000n).quote, a, "the same: the same quote");
  const others = [
    q.quoted(room("DBL"), shown(51000n), 10000n).quote,
    q.quoted(room("DBL"), shown(50000n), 20000n).quote,
    q.quoted(room("DBL", "wanderly"), shown(50000n), 10000n).quote,
    q.quoted(room("TWN"), shown(50000n), 10000n).quote,
  ];
  assert.equal(new Set([a, ...others]).size, 5);
  assert.is(signatures, 5);
});

test.run();
