// GetHotelOffers: the precomputed totals of a stay for many hotels in one
// query; the hotels that lack firm prices are asked from the sellers within
// the caller's live budget.
//
// A hotel is quoted live when the store cannot answer it firmly: it has no
// room known to pricing; or a room of it has no total for the stay (a stay
// of more than 7 nights or beyond the 90 precomputed days, or rates that
// do not cover it) unless the seller's own rates say a night is sold out;
// or a room's total is stale (invalidated). Live offers replace the stored
// ones of the same room and seller; stored offers no live quote replaced
// stay as they are: stale ones are sent marked STALE, never dropped.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import {
  PriceSource,
  type GetHotelOffersRequest,
  type GetHotelOffersResponseSchema,
} from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { daysBetween, isoDate } from "./dates.js";
import { quoteStays } from "./live-quotes.js";
import { storedOffer, type HotelOfferInit } from "./messages.js";
import type { PricingStore, RoomStay } from "./store.js";

export interface HotelOffersDeps {
  store: PricingStore;
  sellers: Client<typeof SellersService>;
  /** Live quotes in flight at once per request. */
  liveConcurrency: number;
}

/** Time kept back from the caller's deadline to send the answer. */
const ANSWER_MARGIN_MS = 20;

export function hotelOffers(deps: HotelOffersDeps) {
  return async function getHotelOffers(
    ctx: Context,
    req: GetHotelOffersRequest,
  ): Promise<MessageInitShape<typeof GetHotelOffersResponseSchema>> {
    const checkIn = isoDate(req.checkIn!);
    const checkOut = isoDate(req.checkOut!);
    const hotelIds = [...new Set(req.hotelIds)];
    const rooms = await deps.store.roomStays({ hotelIds, checkIn, checkOut, nights: daysBetween(checkIn, checkOut) });

    const offers = new Map<string, HotelOfferInit>();
    for (const r of rooms) {
      if (r.total) offers.set(offerKey(r.hotelId, r.roomId, r.sellerId), storedOffer(r.hotelId, r.roomId, r.sellerId, r.total));
    }

    const wanted = req.liveBudgetMs > 0 ? hotelsToQuote(hotelIds, rooms) : [];
    if (wanted.length > 0) {
      const quotes = await quoteStays(ctx, deps.sellers, wanted, checkIn, checkOut, {
        budgetMs: req.liveBudgetMs,
        concurrency: deps.liveConcurrency,
        marginMs: ANSWER_MARGIN_MS,
      });
      for (const [hotelId, quote] of quotes) {
        for (const o of quote.offers) {
          // Quotes are about the hotel asked; an offer of another hotel would be a seller's mistake.
          if (o.hotelId !== hotelId) continue;
          offers.set(offerKey(o.hotelId, o.roomId, o.sellerId), { ...o, source: PriceSource.LIVE });
        }
      }
      ctx.log.debug({ asked: wanted.length, answered: quotes.size }, "live hotel quotes");
    }

    const order = new Map(hotelIds.map((id, i) => [id, i]));
    return { offers: [...offers.values()].sort((a, b) => compareOffers(a, b, order)) };
  };
}

/** The hotels (in the order asked) the store cannot answer firmly. */
function hotelsToQuote(hotelIds: readonly string[], rooms: readonly RoomStay[]): string[] {
  const known = new Set<string>();
  const lacking = new Set<string>();
  for (const r of rooms) {
    known.add(r.hotelId);
    if (r.total ? r.total.stale : !r.soldOut) lacking.add(r.hotelId);
  }
  return hotelIds.filter((id) => !known.has(id) || lacking.has(id));
}

function offerKey(hotelId: string | undefined, roomId: string | undefined, sellerId: string | undefined): string {
  return `${hotelId ?? ""}\u0000${roomId ?? ""}\u0000${sellerId ?? ""}`;
}

function compareOffers(a: HotelOfferInit, b: HotelOfferInit, order: ReadonlyMap<string, number>): number {
  return (
    (order.get(a.hotelId ?? "") ?? 0) - (order.get(b.hotelId ?? "") ?? 0) ||
    (a.roomId ?? "").localeCompare(b.roomId ?? "") ||
    (a.sellerId ?? "").localeCompare(b.sellerId ?? "")
  );
}
