import { fromBinary, toBinary } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { QuoteSchema, type Quote } from "../gen/itinera/type/v1/quote_pb.js";
import {
  CHANGED,
  DEVELOPMENT_QUOTE_SECRET,
  EXPIRED,
  NOT_ONE_TRIP,
  QUOTE_TTL_MS,
  SOMEONE_ELSES,
  quoteChecks,
  quoteReader,
  quoteSigner,
  quoteTimes,
  quoteVerifier,
  type QuoteInit,
} from "./quotes.js";

const NOW = new Date("2026-12-01T12:00:00Z");
const sign = quoteSigner(DEVELOPMENT_QUOTE_SECRET);
const price = quoteVerifier(DEVELOPMENT_QUOTE_SECRET);
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const day = (d: number) => ({ year: 2026, month: 12, day: d });

const room: QuoteInit = {
  item: {
    sellerId: "casa",
    title: "Casa Alfama, Lisbon — Double room, 2 nights",
    kind: { case: "hotelStay", value: { hotelId: "h-1", roomId: "DBL", checkIn: day(5), checkOut: day(7), starRating: 4 } },
  },
  listed: eur(40_000n),
  markdown: eur(5_000n),
  walletAvailable: eur(5_000n),
  flexible: eur(4_000n),
  customerId: "c-ada",
  ...quoteTimes(NOW),
};
const flight = (id: string, origin: string, destination: string, listedMinor: bigint, sellerId = "skylark"): QuoteInit => ({
  item: { sellerId, title: `${id} ${origin} → ${destination}`, kind: { case: "flightTrip", value: { outboundFlightId: id, origin, destination } } },
  listed: eur(listedMinor),
  markdown: eur(listedMinor / 2n < 30_000n ? listedMinor / 2n : 30_000n),
  walletAvailable: eur(30_000n),
  flexible: eur(listedMinor / 10n),
  customerId: "c-ada",
  ...quoteTimes(NOW),
});

const ask = (tokens: string[], flexible = false, customerId = "c-ada", now = NOW) => price({ tokens, flexible, customerId, now });

/** The token of `token`'s signature over another body: what a caller who edits a quote sends. */
function edited(token: string, change: (q: Quote) => void): string {
  const [body, signature] = token.split(".") as [string, string];
  const q = fromBinary(QuoteSchema, Buffer.from(body, "base64url"));
  change(q);
  return `${Buffer.from(toBinary(QuoteSchema, q)).toString("base64url")}.${signature}`;
}

test("a signed quote charges listed − markdown, and the flexible option's price only when chosen", () => {
  const plain = ask([sign(room)]);
  assert.ok(plain.ok);
  if (!plain.ok) return;
  assert.is(plain.charge.cardMinor, 35_000n);
  assert.is(plain.charge.markdownMinor, 5_000n);
  assert.is(plain.charge.item.premium, false);
  assert.is(plain.charge.item.sellerId, "casa");
  assert.is(plain.charge.item.title, "Casa Alfama, Lisbon — Double room, 2 nights");
  const flexible = ask([sign(room)], true);
  assert.ok(flexible.ok && flexible.charge.cardMinor === 39_000n && flexible.charge.flexibleMinor === 4_000n && flexible.charge.item.premium === true);
});

test("changing any field of a signed quote is refused", () => {
  const token = sign(room);
  const changes: Record<string, (q: Quote) => void> = {
    listed: (q) => (q.listed!.amountMinor = 1n),
    "listed currency": (q) => (q.listed!.currency = "JPY"),
    markdown: (q) => (q.markdown!.amountMinor = 20_000n),
    "wallet available": (q) => (q.walletAvailable!.amountMinor = 1_000_000n),
    flexible: (q) => (q.flexible!.amountMinor = 0n),
    seller: (q) => (q.item!.sellerId = "wanderly"),
    title: (q) => (q.item!.title = "The Ritz"),
    premium: (q) => (q.item!.premium = true),
    stars: (q) => q.item!.kind.case === "hotelStay" && (q.item!.kind.value.starRating = 1),
    room: (q) => q.item!.kind.case === "hotelStay" && (q.item!.kind.value.roomId = "STE"),
    hotel: (q) => q.item!.kind.case === "hotelStay" && (q.item!.kind.value.hotelId = "h-2"),
    dates: (q) => q.item!.kind.case === "hotelStay" && (q.item!.kind.value.checkOut!.day = 9),
    customer: (q) => (q.customerId = "c-bob"),
    expiry: (q) => (q.expireTime = timestampFromDate(new Date(NOW.getTime() + 365 * 86_400_000))),
    issued: (q) => (q.issueTime = timestampFromDate(new Date(0))),
  };
  for (const [name, change] of Object.entries(changes)) {
    const res = ask([edited(token, change)]);
    assert.equal(res, { ok: false, reason: CHANGED }, name);
  }
});

test("forged tokens are refused: another secret, a flipped byte, a bad MAC, garbage", () => {
  const other = "not-the-quote-secret";
  const token = sign(room);
  const [body, signature] = token.split(".") as [string, string];
  const flipped = Buffer.from(body, "base64url");
  flipped[flipped.length - 1]! ^= 1;
  for (const forged of [
    quoteSigner(other)(room),
    `${flipped.toString("base64url")}.${signature}`,
    `${body}.${Buffer.alloc(32).toString("base64url")}`,
    `${body}.${signature.slice(0, 20)}`,
    body,
    `${body}.${signature}.x`,
    "not a quote",
    `${body}.${signature}`.replace(/.$/, "*"),
    "a".repeat(5000) + "." + signature,
  ]) {
    assert.equal(ask([forged]), { ok: false, reason: CHANGED }, forged.slice(0, 40));
  }
});

test("an expired quote, another customer's and a visitor's are refused in plain words", () => {
  assert.equal(ask([sign(room)], false, "c-ada", new Date(NOW.getTime() + QUOTE_TTL_MS)), { ok: false, reason: EXPIRED });
  assert.ok(ask([sign(room)], false, "c-ada", new Date(NOW.getTime() + QUOTE_TTL_MS - 1)).ok);
  assert.equal(ask([sign(room)], false, "c-bob"), { ok: false, reason: SOMEONE_ELSES });
  assert.equal(ask([sign({ ...room, customerId: "" })], false, ""), { ok: false, reason: SOMEONE_ELSES });
});

test("even signed, a quote breaking the price rules is refused: markdown over half, mixed currencies, premium, no item", () => {
  const bad: QuoteInit[] = [
    { ...room, markdown: eur(20_001n), walletAvailable: eur(50_000n) },
    { ...room, markdown: eur(6_000n) },
    { ...room, flexible: { amountMinor: 100n, currency: "USD" } },
    { ...room, listed: eur(0n), markdown: eur(0n) },
    { ...room, flexible: eur(-1n) },
    { ...room, item: { ...room.item, premium: true } },
    { ...room, item: { sellerId: "casa" } },
    { ...room, listed: { amountMinor: 40_000n, currency: "eur" }, markdown: { amountMinor: 5_000n, currency: "eur" } },
  ];
  for (const q of bad) assert.equal(ask([sign(q)]), { ok: false, reason: CHANGED });
});

test("a flight and its return from one seller: one markdown off both legs; anything else is not one trip", () => {
  const out = flight("SL1-2026-12-05", "LIS", "MAD", 10_000n);
  const back = flight("SL2-2026-12-08", "MAD", "LIS", 15_000n);
  const trip = ask([sign(out), sign(back)], true);
  assert.ok(trip.ok);
  if (!trip.ok) return;
  // 25,000 listed, a 30,000 balance: the markdown is capped at half the total, once.
  assert.is(trip.charge.markdownMinor, 12_500n);
  assert.is(trip.charge.cardMinor, 25_000n - 12_500n + 1_000n + 1_500n);
  assert.equal(trip.charge.item.kind, {
    case: "flightTrip",
    value: { outboundFlightId: "SL1-2026-12-05", returnFlightId: "SL2-2026-12-08", origin: "LIS", destination: "MAD" },
  });
  assert.is(trip.charge.item.title, "SL1-2026-12-05 LIS → MAD; return SL2-2026-12-08 MAD → LIS");
  for (const tokens of [
    [sign(out), sign(out)],
    [sign(out), sign(flight("SL2-2026-12-08", "MAD", "LIS", 15_000n, "wanderly"))],
    [sign(out), sign(flight("SL3-2026-12-08", "MAD", "BCN", 1_000n))],
    [sign(room), sign(back)],
    [sign(out), sign(back), sign(out)],
    [],
  ]) {
    assert.equal(ask(tokens), { ok: false, reason: NOT_ONE_TRIP });
  }
});

test("the BFF's reader refuses what it can tell without the secret, in the same words, and leaves the MAC to payment", () => {
  const read = quoteReader();
  const at = (tokens: string[], customerId = "c-ada", now = NOW) => read({ tokens, flexible: true, customerId, now });
  const token = sign(room);
  const ok = at([token]);
  assert.ok(ok.ok && ok.charge.cardMinor === 39_000n);
  assert.equal(at([token], "c-ada", new Date(NOW.getTime() + QUOTE_TTL_MS)), { ok: false, reason: EXPIRED });
  assert.equal(at([token], "c-bob"), { ok: false, reason: SOMEONE_ELSES });
  assert.equal(at(["garbage"]), { ok: false, reason: CHANGED });
  assert.equal(at([token, token]), { ok: false, reason: NOT_ONE_TRIP });
  // A forged MAC passes the reader: only payment, which holds the secret, can tell.
  const forged = `${token.split(".")[0]}.${Buffer.alloc(32).toString("base64url")}`;
  assert.ok(at([forged]).ok);
  assert.equal(ask([forged]), { ok: false, reason: CHANGED });
});

test("quoteChecks: one or two non-empty tokens of bounded size", () => {
  const fields = (quotes: string[]) => [quoteChecks("quotes", quotes)].flat(3).filter(Boolean).map((v) => (v as { field: string }).field);
  assert.equal(fields([]), ["quotes"]);
  assert.equal(fields(["a", "b", "c"]), ["quotes"]);
  assert.equal(fields(["a", ""]), ["quotes[1]"]);
  assert.equal(fields(["x".repeat(5000)]), ["quotes[0]"]);
  assert.equal(fields(["a", "b"]), []);
});

test.run();
