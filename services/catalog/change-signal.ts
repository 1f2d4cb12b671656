// The catalog's change signal (itinera.catalog.v1.HotelsChanged on channel
// "catalog_hotels", platform/change-signals.ts): sent inside the transaction
// that changed hotels or the words that find them, so that search's caches
// drop their listings (and these hotels' offers) when it commits.
import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { HotelsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { idGroups, sendSignal } from "../../platform/change-signals.js";

export const HOTELS_CHANNEL = "catalog_hotels";

export async function signalHotels(trx: Knex.Transaction, hotelIds: readonly string[]): Promise<void> {
  for (const group of idGroups([...new Set(hotelIds)])) {
    await sendSignal(trx, HOTELS_CHANNEL, HotelsChangedSchema, create(HotelsChangedSchema, { hotelIds: group }));
  }
}
