// What Book sends: the quotes search signed for the prices the page shows
// (a room's, a flight's, or a flight's and its return's) — never a price or
// an item of the page's own — and what the page shows about them: the total
// without and with the flexible option (free cancellation).
import type { FlightResult, RoomResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { sumMoney, type MoneyLike } from "./money.js";
import { hasPrice } from "./results.js";
import { walletMarkdown } from "../../../platform/money.js";

/** A bookable choice — its quotes, the total the card pays, the flexible option's price — or why it cannot be booked. */
export type Booking = { quotes: string[]; total: MoneyLike; flexible: MoneyLike } | { problem: string };

const NOT_QUOTED = "Prices are confirmed for signed-in travellers with their wallet: sign in, or try again in a moment.";
const money = (m: MoneyLike): MoneyLike => ({ amountMinor: m.amountMinor, currency: m.currency });
const zero = (currency: string): MoneyLike => ({ amountMinor: 0n, currency });

/** What the card pays with the flexible option chosen or not. */
export function withFlexible(b: { total: MoneyLike; flexible: MoneyLike }, chosen: boolean): MoneyLike {
  return chosen ? { amountMinor: b.total.amountMinor + b.flexible.amountMinor, currency: b.total.currency } : b.total;
}

export function hotelStayBooking(room: RoomResult): Booking {
  if (!hasPrice(room.price)) return { problem: "This room has no price right now, so it cannot be booked." };
  if (room.price.quote === "") return { problem: NOT_QUOTED };
  return { quotes: [room.price.quote], total: money(room.price.price), flexible: room.price.flexible ? money(room.price.flexible) : zero(room.price.price.currency) };
}

/**
 * One way (no inbound) or a return trip; both legs must be sold by one seller.
 * Search shows each leg with the wallet taken off on its own, so a return
 * trip's total is computed again from both listed prices with the wallet
 * taken off once — as payment charges it from the two quotes.
 */
export function flightTripBooking(outbound: FlightResult, inbound?: FlightResult, walletAvailable?: MoneyLike): Booking {
  if (!hasPrice(outbound.price) || (inbound && !hasPrice(inbound.price))) {
    return { problem: "This flight has no price right now, so it cannot be booked." };
  }
  if (inbound && inbound.price?.sellerId !== outbound.price.sellerId) {
    return { problem: "These two flights are sold by different sellers: book each of them on its own." };
  }
  const legs = inbound ? [outbound, inbound] : [outbound];
  if (legs.some((f) => !f.price?.quote)) return { problem: NOT_QUOTED };
  const currency = outbound.price.price.currency;
  const listed = inbound ? sumMoney([outbound.price.listed, inbound.price?.listed]) : undefined;
  const flexible = sumMoney(legs.map((f) => f.price?.flexible ?? zero(currency)));
  if ((inbound && !listed) || !flexible) return { problem: "These two flights are priced in different currencies: book each of them on its own." };
  const balance = listed && walletAvailable?.currency === listed.currency ? walletAvailable.amountMinor : 0n;
  const total = listed ? { amountMinor: listed.amountMinor - walletMarkdown(listed.amountMinor, balance), currency: listed.currency } : money(outbound.price.price);
  return { quotes: legs.map((f) => f.price!.quote), total, flexible };
}

/** A fresh key per click on Book: StartBooking answers a retry of the same click the same. */
export function newIdempotencyKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  // getRandomValues, not randomUUID: the latter needs a secure context, and the
  // app may be opened over plain http on a LAN address.
  const bytes = random(new Uint8Array(16));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
