// One offer per SKU and what the customer pays for it: the reducer that
// picks among several sellers' offers for the same room or flight, and the
// wallet markdown that turns a listed price into a personal one.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { PriceStatus, type PersonalPriceSchema } from "../../gen/itinera/search/v1/search_pb.js";
import { flexiblePrice, walletMarkdown } from "../../platform/money.js";

/** What the reducer compares of any seller's offer (a hotel offer, a flight fare). */
export interface Candidate {
  readonly sellerId: string;
  /** The listed price, minor units. */
  readonly amountMinor: bigint;
  readonly currency: string;
  /** Rooms or seats left; 0 means sold out. */
  readonly available: number;
  /** An older price shown while a fresh one could not be had. */
  readonly stale: boolean;
  /** The promotion in the listed price, if any. */
  readonly promotion: string;
}

/** A seller's reliability in permille; higher wins a tie on price. Unknown sellers rank lowest. */
export type Reliability = (sellerId: string) => number;

/** A Reliability from a table of permille by seller id. */
export function reliabilityTable(permille: Readonly<Record<string, number>>): Reliability {
  const table = new Map(Object.entries(permille));
  return (sellerId) => table.get(sellerId) ?? 0;
}

/**
 * The offer to show: among valid offers (something left, in `currency`, a
 * positive price), a current price before any stale one, then the cheapest,
 * then the more reliable seller, then the seller id (so the choice never
 * depends on the order offers arrived in). Undefined when none is valid.
 */
export function chooseOffer<C extends Candidate>(
  offers: readonly C[],
  reliability: Reliability,
  currency: string,
): C | undefined {
  let best: C | undefined;
  for (const offer of offers) {
    if (offer.available <= 0 || offer.currency !== currency || offer.amountMinor <= 0n) continue;
    if (best === undefined || better(offer, best, reliability)) best = offer;
  }
  return best;
}

function better(a: Candidate, b: Candidate, reliability: Reliability): boolean {
  if (a.stale !== b.stale) return !a.stale;
  if (a.amountMinor !== b.amountMinor) return a.amountMinor < b.amountMinor;
  const ra = reliability(a.sellerId);
  const rb = reliability(b.sellerId);
  if (ra !== rb) return ra > rb;
  return a.sellerId < b.sellerId;
}

export type PersonalPriceInit = MessageInitShape<typeof PersonalPriceSchema>;

/**
 * The price a customer sees for `offer`: the wallet takes off what the
 * customer could apply to this one booking (walletMarkdown: the balance, at
 * most half the listed price). No offer: MISSING,
 * amounts unset. No balance known (no customer, the wallet down or not yet
 * answered): markdown 0. The flexible option's price comes with it.
 */
export function personalPrice(offer: Candidate | undefined, walletMinor: bigint | undefined): PersonalPriceInit {
  if (offer === undefined) return { status: PriceStatus.MISSING };
  const balance = walletMinor !== undefined && walletMinor > 0n ? walletMinor : 0n;
  const markdown = walletMarkdown(offer.amountMinor, balance);
  const money = (amountMinor: bigint) => ({ amountMinor, currency: offer.currency });
  return {
    listed: money(offer.amountMinor),
    markdown: money(markdown),
    price: money(offer.amountMinor - markdown),
    flexible: money(flexiblePrice(offer.amountMinor)),
    status: offer.stale ? PriceStatus.STALE : PriceStatus.FRESH,
    sellerId: offer.sellerId,
    promotion: offer.promotion,
  };
}

/** Orders results by listed price, those without one last; a stable sort, so equal ones keep their order. */
export function byListedPrice<R>(price: (r: R) => PersonalPriceInit | undefined): (a: R, b: R) => number {
  return (a, b) => {
    const pa = price(a)?.listed?.amountMinor;
    const pb = price(b)?.listed?.amountMinor;
    if (pa === undefined || pb === undefined) return pa === undefined ? (pb === undefined ? 0 : 1) : -1;
    return pa < pb ? -1 : pa > pb ? 1 : 0;
  };
}
