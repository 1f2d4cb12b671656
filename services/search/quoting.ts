// Quotes on search's answers: each priced offer shown to a signed-in
// customer whose wallet answered carries a signed quote (platform/quotes.ts)
// of exactly what is shown — the item with its seller, title and stars, the
// listed price, the markdown, the flexible option's price, the customer and
// an expiry — so that StartBooking and MakePayment charge that and nothing
// a caller chose. A visitor's prices carry none: only a customer can pay.
//
// One Quoting per call: the customer is the token's (never a customer id in
// the body), every quote of the call has the same issue time, and a quote
// already signed for an earlier step of a stream is not signed again. Within
// a call an item's dates, title and stars follow from its ids (one query, one
// listing), so the ids, the seller and the amounts say whether a quote is
// the same as one signed before.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import type { PersonalPriceSchema } from "../../gen/itinera/search/v1/search_pb.js";
import type { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { quoteTimes, type QuoteInit } from "../../platform/quotes.js";

export type QuoteSigner = (quote: QuoteInit) => string;
type ItemInit = MessageInitShape<typeof ItemSchema>;
type PriceInit = MessageInitShape<typeof PersonalPriceSchema>;

export interface Quoting {
  /** The customer whose wallet applies: the token's; "" for a visitor or a service. */
  readonly customerId: string;
  /** `price` with the quote of `item` at that price, when it can be booked (`balance`: the wallet's answer). */
  quoted(item: ItemInit, price: PriceInit, balance: bigint | undefined): PriceInit;
}

/** The customer a search is for: the one whose token the call carries. */
export function tokenCustomer(ctx: Context): string {
  return ctx.principal?.kind === "customer" ? ctx.principal.id : "";
}

export function quoting(sign: QuoteSigner | undefined, ctx: Context, now: Date): Quoting {
  const customerId = tokenCustomer(ctx);
  const times = quoteTimes(now);
  const signed = new Map<string, string>();
  return {
    customerId,
    quoted(item, price, balance) {
      const { listed, markdown, flexible } = price;
      if (!sign || customerId === "" || balance === undefined || !listed || !markdown || !flexible) return price;
      const walletAvailable = { amountMinor: balance > 0n ? balance : 0n, currency: listed.currency };
      const key = `${itemKey(item)}\u0000${item.sellerId}\u0000${listed.amountMinor}\u0000${markdown.amountMinor}\u0000${flexible.amountMinor}\u0000${walletAvailable.amountMinor}`;
      let token = signed.get(key);
      if (token === undefined) signed.set(key, (token = sign({ item, listed, markdown, flexible, walletAvailable, customerId, ...times })));
      return { ...price, quote: token };
    },
  };
}

/** The ids of the room or flights an item is. */
function itemKey(item: ItemInit): string {
  const kind = item.kind;
  if (kind?.case === "hotelStay") return `hotel\u0000${kind.value.hotelId}\u0000${kind.value.roomId}`;
  if (kind?.case === "flightTrip") return `flight\u0000${kind.value.outboundFlightId}\u0000${kind.value.returnFlightId}`;
  return "";
}
