// A live offer for a stay from a seller's nightly rates: the sum of the
// nights (already in EUR, as pricing sums them at ingestion, so that a live
// total and a precomputed one agree) and the fewest rooms left on any night.
// A room is offered only when every night of the stay has a rate.
import { create } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { HotelOfferSchema, PriceSource, type HotelOffer, type NightlyRate } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { Stay } from "./adapter.js";
import { addDays, daysBetween, formatDate } from "./calendar.js";
import { MARKETPLACE_CURRENCY } from "./fx.js";

export function offersFromNightlyRates(
  rates: readonly NightlyRate[],
  stay: Stay,
  sellerId: string,
  quotedAt: Date,
): HotelOffer[] {
  const nights = new Set<string>();
  for (let i = 0; i < daysBetween(stay.checkIn, stay.checkOut); i++) nights.add(formatDate(addDays(stay.checkIn, i)));

  const byRoom = new Map<string, { hotelId: string; roomId: string; nights: Map<string, NightlyRate> }>();
  for (const rate of rates) {
    const night = rate.night ? formatDate(rate.night) : "";
    if (!nights.has(night) || rate.price?.currency !== MARKETPLACE_CURRENCY) continue;
    const key = `${rate.hotelId}\u0000${rate.roomId}`;
    let room = byRoom.get(key);
    if (!room) byRoom.set(key, (room = { hotelId: rate.hotelId, roomId: rate.roomId, nights: new Map() }));
    room.nights.set(night, rate);
  }

  const offers: HotelOffer[] = [];
  for (const room of byRoom.values()) {
    if (room.nights.size !== nights.size) continue; // a night without a rate: not sold for this stay
    let total = 0n;
    let available = Number.MAX_SAFE_INTEGER;
    for (const rate of room.nights.values()) {
      total += rate.price!.amountMinor;
      available = Math.min(available, rate.available);
    }
    const money = { amountMinor: total, currency: MARKETPLACE_CURRENCY };
    offers.push(
      create(HotelOfferSchema, {
        hotelId: room.hotelId,
        roomId: room.roomId,
        sellerId,
        total: money,
        listTotal: money,
        available,
        source: PriceSource.LIVE,
        priceTime: timestampFromMs(quotedAt.getTime()),
      }),
    );
  }
  return offers.sort((a, b) => a.roomId.localeCompare(b.roomId));
}
