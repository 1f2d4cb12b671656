// Pricing's change signal (itinera.pricing.v1.HotelPricesChanged on channel
// "pricing_hotel_prices", platform/change-signals.ts): sent inside the
// transaction that changed stored hotel prices, so that search's caches drop
// what they hold of those hotels over those nights when it commits.
import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { HotelPricesChangedSchema } from "../../gen/itinera/pricing/v1/events_pb.js";
import { idGroups, sendSignal } from "../../platform/change-signals.js";
import { dateMessage, type IsoDate } from "./dates.js";

export const HOTEL_PRICES_CHANNEL = "pricing_hotel_prices";

/** Signals that the prices of `hotelIds` changed for the nights `firstNight` … `lastNight` (included). */
export async function signalHotelPrices(trx: Knex.Transaction, hotelIds: readonly string[], firstNight: IsoDate, lastNight: IsoDate): Promise<void> {
  for (const group of idGroups([...new Set(hotelIds)])) {
    const message = create(HotelPricesChangedSchema, { hotelIds: group, firstNight: dateMessage(firstNight), lastNight: dateMessage(lastNight) });
    await sendSignal(trx, HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema, message);
  }
}
