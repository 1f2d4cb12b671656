// The statements of UpsertHotels, in the order one transaction runs them.
// Each is one SQL statement whatever the batch size: rows travel as one jsonb
// parameter. The merge rules are described in migrations/0001_catalog.ts.
//
// Locking, so that concurrent writers neither lose a change nor deadlock:
// each writer first touches only its own seller's rows (aliases, listings),
// then takes transaction advisory locks in one fixed order — the cities it
// writes hotels or aliases of, then the hotels it merges, each sorted — and
// only then writes shared rows (cities, hotels, rooms) and, last, the search
// vocabulary in one sorted statement. A merge statement runs after its locks
// are granted, so it sees every listing and alias committed before.
import type { Knex } from "knex";
import type { HotelListing } from "./listings.js";

type Trx = Knex.Transaction;

/** Replaces the seller's aliases of the cities given; returns the cities whose aliases changed. */
export async function replaceAliases(trx: Trx, sellerId: string, aliases: ReadonlyMap<string, string[]>): Promise<string[]> {
  if (aliases.size === 0) return [];
  const rows = [...aliases].flatMap(([cityId, names]) =>
    [...new Set(names.map((n) => n.trim()).filter((n) => n !== ""))].map((alias) => ({ city_id: cityId, alias })),
  );
  const { rows: changed } = (await trx.raw(
    `with incoming as (select * from jsonb_to_recordset(?::jsonb) as x(city_id text, alias text)),
     removed as (
       delete from city_aliases a
        where a.seller_id = ? and a.city_id = any(?::text[])
          and not exists (select 1 from incoming i where i.city_id = a.city_id and i.alias = a.alias)
       returning a.city_id),
     added as (
       insert into city_aliases (city_id, seller_id, alias)
       select city_id, ?, alias from incoming order by city_id, alias
       on conflict do nothing
       returning city_id)
     select distinct city_id from (select city_id from removed union all select city_id from added) c`,
    [JSON.stringify(rows), sellerId, [...aliases.keys()], sellerId],
  )) as { rows: { city_id: string }[] };
  return changed.map((r) => r.city_id);
}

/** Inserts or replaces the seller's listings; returns the ids of the hotels whose listing is new or different. */
export async function writeListings(trx: Trx, sellerId: string, listings: readonly HotelListing[]): Promise<string[]> {
  const rows = listings.map((h) => ({ hotel_id: h.hotelId, listing: listingJson(h) }));
  const { rows: changed } = (await trx.raw(
    `insert into hotel_sellers (hotel_id, seller_id, listing, update_time)
     select x.hotel_id, ?, x.listing, now() from jsonb_to_recordset(?::jsonb) as x(hotel_id text, listing jsonb)
     on conflict (hotel_id, seller_id) do update set listing = excluded.listing, update_time = excluded.update_time
       where hotel_sellers.listing is distinct from excluded.listing
     returning hotel_id`,
    [sellerId, JSON.stringify(rows)],
  )) as { rows: { hotel_id: string }[] };
  return changed.map((r) => r.hotel_id);
}

/** The listing as stored: snake_case keys, as jsonb_to_record reads them. */
function listingJson(h: HotelListing) {
  return {
    name: h.name,
    city_id: h.cityId,
    city_name: h.cityName,
    country_code: h.countryCode,
    country_name: h.countryName,
    star_rating: h.starRating,
    address: h.address,
    amenities: h.amenities,
    image_urls: h.imageUrls,
    rooms: h.rooms.map((r) => ({ room_id: r.roomId, name: r.name, max_occupancy: r.maxOccupancy, amenities: r.amenities })),
  };
}

/** Waits for the advisory locks of these cities, then of these hotels, in that order, each sorted. */
export async function lockCitiesAndHotels(trx: Trx, cityIds: readonly string[], hotelIds: readonly string[]) {
  const keys = [
    ...[...new Set(cityIds)].sort().map((id) => `catalog.city:${id}`),
    ...[...new Set(hotelIds)].sort().map((id) => `catalog.hotel:${id}`),
  ];
  if (keys.length === 0) return;
  await trx.raw(
    `select pg_advisory_xact_lock(hashtextextended(k.key, 0))
       from (select key from unnest(?::text[]) with ordinality as u(key, n) order by n) k`,
    [keys],
  );
}

/** Cities as these listings name them (the last writer's names win). */
export async function upsertCities(trx: Trx, listings: readonly HotelListing[]) {
  const cities = new Map(
    listings.map((h) => [h.cityId, { city_id: h.cityId, name: h.cityName, country_code: h.countryCode, country_name: h.countryName }]),
  );
  await trx.raw(
    `insert into cities (city_id, name, country_code, country_name, update_time)
     select x.city_id, x.name, x.country_code, x.country_name, now()
       from jsonb_to_recordset(?::jsonb) as x(city_id text, name text, country_code text, country_name text)
      order by x.city_id
     on conflict (city_id) do update
       set name = excluded.name, country_code = excluded.country_code, country_name = excluded.country_name, update_time = excluded.update_time
       where (cities.name, cities.country_code, cities.country_name) is distinct from (excluded.name, excluded.country_code, excluded.country_name)`,
    [JSON.stringify([...cities.values()])],
  );
}

const HOTEL_COLUMNS = [
  "name", "city_id", "city_name", "country_code", "country_name", "star_rating",
  "address", "amenities", "image_urls", "seller_ids", "update_time", "search_doc",
] as const;

/** Recomputes the merged hotels from every seller's listing; returns the ids written (new or changed). */
export async function mergeHotels(trx: Trx, ids: readonly string[]): Promise<string[]> {
  const set = HOTEL_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ");
  const old = HOTEL_COLUMNS.map((c) => `hotels.${c}`).join(", ");
  const now = HOTEL_COLUMNS.map((c) => `excluded.${c}`).join(", ");
  const { rows } = (await trx.raw(
    `with latest as (
       select distinct on (hotel_id) hotel_id, listing from hotel_sellers
        where hotel_id = any(?::text[]) order by hotel_id, update_time desc, seller_id),
     sellers as (
       select hotel_id, array_agg(seller_id order by seller_id) as seller_ids, max(update_time) as update_time
         from hotel_sellers where hotel_id = any(?::text[]) group by hotel_id),
     merged as (
       select l.hotel_id, d.*, s.seller_ids, s.update_time
         from latest l join sellers s using (hotel_id)
         cross join lateral jsonb_to_record(l.listing) as d(
           name text, city_id text, city_name text, country_code text, country_name text,
           star_rating smallint, address text, amenities text[], image_urls text[]))
     insert into hotels (hotel_id, ${HOTEL_COLUMNS.join(", ")})
     select hotel_id, name, city_id, city_name, country_code, country_name, star_rating, address,
            amenities, image_urls, seller_ids, update_time,
            hotel_search_doc(name, city_id, city_name, country_name, country_code)
       from merged order by hotel_id
     on conflict (hotel_id) do update set ${set}
       where (${old}) is distinct from (${now})
     returning hotel_id`,
    [ids, ids],
  )) as { rows: { hotel_id: string }[] };
  return rows.map((r) => r.hotel_id);
}

/** Rooms of these hotels: the union of every seller's rooms, each as its most recent listing describes it. */
export async function mergeRooms(trx: Trx, ids: readonly string[]) {
  await trx.raw(
    `with wanted as (
       select distinct on (s.hotel_id, r.room_id) s.hotel_id, r.room_id, r.name, r.max_occupancy, r.amenities
         from hotel_sellers s
        cross join lateral jsonb_to_recordset(s.listing->'rooms') as r(room_id text, name text, max_occupancy integer, amenities text[])
        where s.hotel_id = any(?::text[])
        order by s.hotel_id, r.room_id, s.update_time desc, s.seller_id),
     gone as (
       delete from rooms o where o.hotel_id = any(?::text[])
          and not exists (select 1 from wanted w where w.hotel_id = o.hotel_id and w.room_id = o.room_id))
     insert into rooms (hotel_id, room_id, name, max_occupancy, amenities)
     select hotel_id, room_id, name, max_occupancy, amenities from wanted
     on conflict (hotel_id, room_id) do update
       set name = excluded.name, max_occupancy = excluded.max_occupancy, amenities = excluded.amenities
       where (rooms.name, rooms.max_occupancy, rooms.amenities) is distinct from (excluded.name, excluded.max_occupancy, excluded.amenities)`,
    [ids, ids],
  );
}

/** The search documents of hotels in cities whose aliases changed; returns the hotels whose document changed. */
export async function refreshSearchDocs(trx: Trx, cityIds: readonly string[]): Promise<string[]> {
  const { rows } = (await trx.raw(
    `with docs as (
       select hotel_id, hotel_search_doc(name, city_id, city_name, country_name, country_code) as doc
         from hotels where city_id = any(?::text[]))
     update hotels set search_doc = docs.doc from docs
      where hotels.hotel_id = docs.hotel_id and hotels.search_doc is distinct from docs.doc
     returning hotels.hotel_id`,
    [cityIds],
  )) as { rows: { hotel_id: string }[] };
  return rows.map((r) => r.hotel_id);
}

/**
 * Adds the words of these hotels' search documents to the vocabulary, sorted
 * (one lock order for every writer); only letters and digits, so that a word
 * can be quoted into a tsquery as it is.
 */
export async function addSearchWords(trx: Trx, hotelIds: readonly string[]) {
  await trx.raw(
    `insert into search_words (word)
     select distinct w.word collate "C" from hotels, unnest(tsvector_to_array(search_doc)) as w(word)
      where hotel_id = any(?::text[]) and w.word ~ '^[[:alnum:]]+$'
      order by 1
     on conflict do nothing`,
    [hotelIds],
  );
}
