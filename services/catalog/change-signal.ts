// The catalog's change signals (platform/change-signals.ts), sent inside the
// transaction that made the change, so that search's caches drop what it
// touched when it commits: itinera.catalog.v1.HotelsChanged on
// "catalog_hotels" (hotels or the words that find them: the listings, and
// these hotels' offers), FlightsChanged on "catalog_flights" (flights or
// airports: every flight listing and airport).
import type { Knex } from "knex";
import { create } from "@bufbuild/protobuf";
import { FlightsChangedSchema, HotelsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { idGroups, sendSignal } from "../../platform/change-signals.js";

export const HOTELS_CHANNEL = "catalog_hotels";
export const FLIGHTS_CHANNEL = "catalog_flights";

export async function signalHotels(trx: Knex.Transaction, hotelIds: readonly string[]): Promise<void> {
  for (const group of idGroups([...new Set(hotelIds)])) {
    await sendSignal(trx, HOTELS_CHANNEL, HotelsChangedSchema, create(HotelsChangedSchema, { hotelIds: group }));
  }
}

export async function signalFlights(trx: Knex.Transaction, flights: number, airports: number): Promise<void> {
  await sendSignal(trx, FLIGHTS_CHANNEL, FlightsChangedSchema, create(FlightsChangedSchema, { flights, airports }));
}
