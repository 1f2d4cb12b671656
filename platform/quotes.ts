// Quotes: the one home of the rule "a price is ours". Search issues a quote
// (itinera.type.v1.Quote) for each priced offer it shows a signed-in
// customer and signs it; payment verifies it and computes what the card pays
// from it alone; the BFF's StartBooking reads it first to refuse an expired,
// someone else's or mismatched quote in plain words before calling payment.
//
// HMAC-SHA256 with QUOTE_SECRET, held by search (which mints) and payment
// (which charges, and so decides the amount anyway) — not by the BFF, the
// public edge, which cannot mint and leaves the signature to payment. Not
// Ed25519, although only search could then mint: a signed-in hotel search
// quotes every priced room it shows (60 to 150 on a page), and on this
// machine an Ed25519 signature costs ~70 µs of search's CPU where an HMAC
// costs ~9 µs (a whole quote, protobuf encoding included: ~110 µs vs ~50 µs).
// A token is "<quote>.<mac>", both base64url, the quote in its protobuf
// binary form.
import { createHmac, timingSafeEqual } from "node:crypto";
import { create, fromBinary, toBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampFromDate } from "@bufbuild/protobuf/wkt";
import { required, violation, type Check } from "../endpoints/rules.js";
import type { ItemSchema } from "../gen/itinera/type/v1/item_pb.js";
import { QuoteSchema, type Quote } from "../gen/itinera/type/v1/quote_pb.js";
import { secret } from "./config.js";
import { walletMarkdown } from "./money.js";

/** How long a quote may be paid with after search issued it. */
export const QUOTE_TTL_MS = 15 * 60_000;
/** The most quotes one payment takes: a flight and its return. */
export const MAX_QUOTES = 2;
/** A token longer than this is not one search issued. */
export const MAX_QUOTE_TOKEN = 4096;

/** The development secret; refused in production (secret()). */
export const DEVELOPMENT_QUOTE_SECRET = "itinera-development-quote-secret";

/** Search's and payment's setting: QUOTE_SECRET, the key of quotes' MACs. */
export function quoteSettings() {
  return { quoteSecret: secret("QUOTE_SECRET", DEVELOPMENT_QUOTE_SECRET) };
}

const mac = (key: string, body: Uint8Array) => createHmac("sha256", key).update(body).digest();

export type QuoteInit = MessageInitShape<typeof QuoteSchema>;

/** Signs quotes: search's half. `key` is QUOTE_SECRET. */
export function quoteSigner(key: string): (quote: QuoteInit) => string {
  return (quote) => {
    const body = toBinary(QuoteSchema, create(QuoteSchema, quote));
    return `${Buffer.from(body).toString("base64url")}.${mac(key, body).toString("base64url")}`;
  };
}

/** A quote's validity window from `now`: issue and expiry times. */
export function quoteTimes(now: Date): Pick<QuoteInit, "issueTime" | "expireTime"> {
  return { issueTime: timestampFromDate(now), expireTime: timestampFromDate(new Date(now.getTime() + QUOTE_TTL_MS)) };
}

/** What a payment for verified quotes charges, and the item it buys. */
export interface Charge {
  item: MessageInitShape<typeof ItemSchema>;
  currency: string;
  listedMinor: bigint;
  markdownMinor: bigint;
  /** The flexible option's price; 0 when not chosen. */
  flexibleMinor: bigint;
  /** What the card pays: listed − markdown + flexible. */
  cardMinor: bigint;
}

export type Priced = { ok: true; charge: Charge } | { ok: false; reason: string };

export const CHANGED = "The price has changed or this quote is not one Itinera issued: search again and book from the new results.";
export const EXPIRED = "This price quote has expired: search again and book from the new results.";
export const SOMEONE_ELSES = "This price was quoted for another customer (or before you signed in): search again and book from the new results.";
export const NOT_ONE_TRIP = "These quotes are not one trip: book a room, a flight, or a flight and its return from the same seller.";

export interface PriceRequest {
  tokens: readonly string[];
  /** The traveller chose the flexible option. */
  flexible: boolean;
  /** The caller: only their own quotes are payable. */
  customerId: string;
  now: Date;
}

/** The shape of a booking's quotes, for the validators of every entry point (their signature is checked by quoteVerifier). */
export function quoteChecks(field: string, quotes: readonly string[]): Check {
  return [
    quotes.length === 0 && violation(field, "required", "is required: the quote of each price shown (a room, a flight, or a flight and its return)"),
    quotes.length > MAX_QUOTES && violation(field, "max_items", `must have at most ${MAX_QUOTES} quotes (a flight and its return)`),
    quotes.slice(0, MAX_QUOTES).map((q, i) => required(`${field}[${i}]`, q, { maxLen: MAX_QUOTE_TOKEN })),
  ];
}

/** Verifies quotes and prices them: payment's half. `key` is QUOTE_SECRET. */
export function quoteVerifier(key: string): (req: PriceRequest) => Priced {
  return pricer((token) => {
    const parts = split(token);
    if (!parts) return undefined;
    const expected = mac(key, parts.body);
    return parts.mac.length === expected.length && timingSafeEqual(parts.mac, expected) ? decode(parts.body) : undefined;
  });
}

/**
 * Reads quotes and prices them WITHOUT checking the MAC: the BFF's early,
 * plain-words refusal of an expired, someone else's or mismatched quote.
 * Never a reason to charge: payment verifies the MAC and decides.
 */
export function quoteReader(): (req: PriceRequest) => Priced {
  return pricer((token) => {
    const parts = split(token);
    return parts ? decode(parts.body) : undefined;
  });
}

function pricer(open: (token: string) => Quote | undefined): (req: PriceRequest) => Priced {
  return (req) => {
    if (req.tokens.length === 0 || req.tokens.length > MAX_QUOTES) return { ok: false, reason: NOT_ONE_TRIP };
    const quotes: Quote[] = [];
    for (const token of req.tokens) {
      const opened = open(token);
      if (!opened) return { ok: false, reason: CHANGED };
      const refused = refusal(opened, req);
      if (refused) return { ok: false, reason: refused };
      quotes.push(opened);
    }
    const charge = req.tokens.length === 1 ? single(quotes[0]!, req.flexible) : roundTrip(quotes[0]!, quotes[1]!, req.flexible);
    return charge ? { ok: true, charge } : { ok: false, reason: NOT_ONE_TRIP };
  };
}

/** A token's two parts; undefined for anything not shaped like one. */
function split(token: string): { body: Buffer; mac: Buffer } | undefined {
  if (token.length > MAX_QUOTE_TOKEN) return undefined;
  const parts = token.split(".");
  if (parts.length !== 2 || !parts.every((p) => /^[A-Za-z0-9_-]+$/.test(p))) return undefined;
  return { body: Buffer.from(parts[0]!, "base64url"), mac: Buffer.from(parts[1]!, "base64url") };
}

function decode(body: Uint8Array): Quote | undefined {
  try {
    return fromBinary(QuoteSchema, body);
  } catch {
    return undefined;
  }
}

/** Why a signed quote cannot be paid by this caller now; undefined when it can. */
function refusal(q: Quote, req: PriceRequest): string | undefined {
  if (!q.expireTime || !q.issueTime || !q.listed || !q.markdown || !q.flexible || !q.walletAvailable || !q.item) return CHANGED;
  if (timestampDate(q.expireTime).getTime() <= req.now.getTime()) return EXPIRED;
  if (q.customerId === "" || q.customerId !== req.customerId) return SOMEONE_ELSES;
  // Signed by search, and still checked: a key mix-up must not become a charge.
  const currency = q.listed.currency;
  const amounts = [q.markdown, q.flexible, q.walletAvailable];
  if (!/^[A-Z]{3}$/.test(currency) || amounts.some((m) => m.currency !== currency)) return CHANGED;
  if (q.listed.amountMinor <= 0n || q.flexible.amountMinor < 0n || q.markdown.amountMinor < 0n) return CHANGED;
  if (q.markdown.amountMinor > walletMarkdown(q.listed.amountMinor, q.walletAvailable.amountMinor)) return CHANGED;
  if (q.item.premium || q.item.kind.case === undefined || q.item.sellerId === "") return CHANGED;
  return undefined;
}

function single(q: Quote, flexible: boolean): Charge {
  const listed = q.listed!.amountMinor;
  const markdown = q.markdown!.amountMinor;
  return charged({ sellerId: q.item!.sellerId, kind: q.item!.kind }, q.item!.title, q.listed!.currency, listed, markdown, flexible ? q.flexible!.amountMinor : 0n, flexible);
}

/** A flight and its return from one seller: one markdown off both legs, from the wallet balance they were quoted with. */
function roundTrip(out: Quote, back: Quote, flexible: boolean): Charge | undefined {
  const [a, b] = [out.item!, back.item!];
  if (a.kind.case !== "flightTrip" || b.kind.case !== "flightTrip") return undefined;
  if (a.sellerId !== b.sellerId || out.listed!.currency !== back.listed!.currency) return undefined;
  const [o, r] = [a.kind.value, b.kind.value];
  if (r.origin !== o.destination || r.destination !== o.origin || r.outboundFlightId === o.outboundFlightId) return undefined;
  const listed = out.listed!.amountMinor + back.listed!.amountMinor;
  const balance = out.walletAvailable!.amountMinor < back.walletAvailable!.amountMinor ? out.walletAvailable! : back.walletAvailable!;
  const markdown = walletMarkdown(listed, balance.amountMinor);
  const flexibleMinor = flexible ? out.flexible!.amountMinor + back.flexible!.amountMinor : 0n;
  const trip = { outboundFlightId: o.outboundFlightId, returnFlightId: r.outboundFlightId, origin: o.origin, destination: o.destination };
  return charged({ sellerId: a.sellerId, kind: { case: "flightTrip", value: trip } }, `${a.title}; return ${b.title}`, out.listed!.currency, listed, markdown, flexibleMinor, flexible);
}

function charged(
  item: Charge["item"],
  title: string,
  currency: string,
  listedMinor: bigint,
  markdownMinor: bigint,
  flexibleMinor: bigint,
  premium: boolean,
): Charge {
  return {
    item: { ...item, title, premium },
    currency,
    listedMinor,
    markdownMinor,
    flexibleMinor,
    cardMinor: listedMinor - markdownMinor + flexibleMinor,
  };
}
