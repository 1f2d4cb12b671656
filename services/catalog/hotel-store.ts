// Hotels in PostgreSQL: one seller's listings written and merged in one
// transaction with a fixed number of statements whatever the batch size
// (hotel-writes.ts), hotels read by id, and the search (hotel-search.ts).
import { signalHotels } from "./change-signal.js";
import type { Knex } from "knex";
import { byCodeUnits, type HotelRecord, type HotelUpsert, type RankedPage, type SearchCursor, type UpsertCounts } from "./listings.js";
import { HOTEL_WITH_ROOMS, hotelRecord } from "./hotel-rows.js";
import { rankHotels } from "./hotel-search.js";
import {
  addSearchWords,
  lockCitiesAndHotels,
  mergeHotels,
  mergeRooms,
  refreshSearchDocs,
  replaceAliases,
  upsertCities,
  writeListings,
} from "./hotel-writes.js";

type Row = Record<string, unknown>;

export class HotelStore {
  constructor(private readonly knex: Knex) {}

  /** Writes one seller's listings; counts the hotels created and the hotels whose merged record changed. */
  async upsert(u: HotelUpsert): Promise<UpsertCounts> {
    const listings = [...u.hotels].sort((a, b) => byCodeUnits(a.hotelId, b.hotelId)); // one row lock order for every writer
    return this.knex.transaction(async (trx) => {
      const aliasCities = await replaceAliases(trx, u.sellerId, u.cityAliases);
      const changed = await writeListings(trx, u.sellerId, listings);
      if (changed.length === 0 && aliasCities.length === 0) return { created: 0, updated: 0 };
      const cities = changed.length > 0 ? [...listings.map((h) => h.cityId), ...aliasCities] : aliasCities;
      await lockCitiesAndHotels(trx, cities, changed);
      let merged: string[] = [];
      let created = 0;
      if (changed.length > 0) {
        await upsertCities(trx, listings);
        const existing = new Set((await trx("hotels").whereIn("hotel_id", changed).pluck("hotel_id")) as string[]);
        merged = await mergeHotels(trx, changed);
        await mergeRooms(trx, changed);
        created = merged.filter((id) => !existing.has(id)).length;
      }
      const refreshed = aliasCities.length > 0 ? await refreshSearchDocs(trx, aliasCities) : [];
      const touched = [...new Set([...merged, ...refreshed])];
      await addSearchWords(trx, touched);
      await signalHotels(trx, touched);
      return { created, updated: merged.length - created };
    });
  }

  /** The hotels with these ids, in the order given; unknown ids are left out, repeated ones given once. */
  async byIds(ids: readonly string[]): Promise<HotelRecord[]> {
    const unique = [...new Set(ids)];
    if (unique.length === 0) return [];
    const { rows } = (await this.knex.raw(`select ${HOTEL_WITH_ROOMS} from hotels h where h.hotel_id = any(?::text[])`, [
      unique,
    ])) as { rows: Row[] };
    const byId = new Map(rows.map((h) => [h.hotel_id as string, hotelRecord(h)]));
    return unique.flatMap((id) => byId.get(id) ?? []);
  }

  /** A page of the hotels matching `query`, best first, after `after`, each with its place in the ranking; and their total. */
  search(query: string, limit: number, after?: SearchCursor): Promise<RankedPage> {
    return rankHotels(this.knex, query, limit, after);
  }
}
