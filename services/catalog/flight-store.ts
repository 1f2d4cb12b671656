// Flights and airports in PostgreSQL. Flights merge per seller like hotels
// (flight_sellers keeps each seller's listing; the most recently changed one
// describes the flight; seller_ids are all of them). Airports are facts, not
// offers: the last writer's description wins, and only a difference is written.
import { signalFlights } from "./change-signal.js";
import type { Knex } from "knex";
import { byCodeUnits, type AirportRecord, type FlightListing, type FlightRecord, type FlightUpsert, type UpsertCounts } from "./listings.js";

type Row = Record<string, unknown>;

const FLIGHT_COLUMNS = [
  "carrier_code", "carrier_name", "flight_number", "origin", "destination", "departure_time",
  "arrival_time", "departure_date", "aircraft", "cabin_services", "seller_ids", "update_time",
] as const;

const AIRPORT_COLUMNS = ["code", "name", "city_id", "city_name", "country_code", "time_zone"] as const;

export class FlightStore {
  constructor(private readonly knex: Knex) {}

  async upsert(u: FlightUpsert): Promise<UpsertCounts> {
    const flights = [...u.flights].sort((a, b) => byCodeUnits(a.flightId, b.flightId));
    const airports = [...u.airports].sort((a, b) => byCodeUnits(a.code, b.code));
    return this.knex.transaction(async (trx) => {
      const airportsChanged = airports.length > 0 ? await upsertAirports(trx, airports) : 0;
      const { rows } = (await trx.raw(
        `insert into flight_sellers (flight_id, seller_id, listing, update_time)
         select x.flight_id, ?, x.listing, now() from jsonb_to_recordset(?::jsonb) as x(flight_id text, listing jsonb)
         on conflict (flight_id, seller_id) do update set listing = excluded.listing, update_time = excluded.update_time
           where flight_sellers.listing is distinct from excluded.listing
         returning flight_id`,
        [u.sellerId, JSON.stringify(flights.map((f) => ({ flight_id: f.flightId, listing: listingJson(f) })))],
      )) as { rows: { flight_id: string }[] };
      const changed = rows.map((r) => r.flight_id).sort(byCodeUnits);
      if (changed.length === 0) {
        if (airportsChanged > 0) await signalFlights(trx, 0, airportsChanged);
        return { created: 0, updated: 0 };
      }
      await trx.raw(
        `select pg_advisory_xact_lock(hashtextextended('catalog.flight:' || id, 0)) from (select unnest(?::text[]) as id order by 1) ids`,
        [changed],
      );
      const existing = new Set((await trx("flights").whereIn("flight_id", changed).pluck("flight_id")) as string[]);
      const merged = await mergeFlights(trx, changed);
      const created = merged.filter((id) => !existing.has(id)).length;
      if (merged.length + airportsChanged > 0) await signalFlights(trx, merged.length, airportsChanged);
      return { created, updated: merged.length - created };
    });
  }

  /** The flights of a route on a local date, by departure time (then id). */
  async route(origin: string, destination: string, departureDate: string): Promise<FlightRecord[]> {
    const rows = (await this.knex("flights")
      .select("*", this.knex.raw(`to_char(departure_date, 'YYYY-MM-DD') as departure_day`))
      .where({ origin, destination, departure_date: departureDate })
      .orderBy(["departure_time", "flight_id"])) as Row[];
    return rows.map(toFlight);
  }

  /** Airports with these codes, in the order given; unknown codes are left out. */
  async airports(codes: readonly string[]): Promise<AirportRecord[]> {
    const unique = [...new Set(codes)];
    const rows = (await this.knex("airports").whereIn("code", unique).select(...AIRPORT_COLUMNS)) as Row[];
    const byCode = new Map(rows.map((r) => [r.code as string, toAirport(r)]));
    return unique.flatMap((c) => byCode.get(c) ?? []);
  }

  /** Every airport, by code (a small table: one per city served). */
  async allAirports(): Promise<AirportRecord[]> {
    return ((await this.knex("airports").select(...AIRPORT_COLUMNS).orderBy("code")) as Row[]).map(toAirport);
  }

  /**
   * Airports matching words, best first: the code itself, then an exact city
   * or city alias, then names or cities starting with the words, then a word
   * of the name or city spelled similarly (pg_trgm word similarity: "barajas",
   * "madrd"); ties by similarity, then code. A small table: no index needed.
   */
  async matching(query: string, limit: number): Promise<AirportRecord[]> {
    const { rows } = (await this.knex.raw(
      `with q as (select catalog.fold(:q) as text),
       scored as (
         select a.*, case
             when a.code = upper(btrim(:q)) then 0
             when a.city_folded = q.text
               or exists (select 1 from city_aliases c where c.city_id = a.city_id and c.alias_folded = q.text) then 1
             when starts_with(a.name_folded, q.text) or starts_with(a.city_folded, q.text) then 2
             when q.text <% a.name_folded or q.text <% a.city_folded then 3
             else 4 end as tier,
           greatest(word_similarity(q.text, a.name_folded), word_similarity(q.text, a.city_folded)) as sim
         from airports a, q)
       select ${AIRPORT_COLUMNS.join(", ")} from scored
        where tier < 4
        order by tier, sim desc, code
        limit :limit`,
      { q: query, limit },
    )) as { rows: Row[] };
    return rows.map(toAirport);
  }
}

function listingJson(f: FlightListing) {
  return {
    carrier_code: f.carrierCode,
    carrier_name: f.carrierName,
    flight_number: f.flightNumber,
    origin: f.origin,
    destination: f.destination,
    departure_time: f.departureTime.toISOString(),
    arrival_time: f.arrivalTime.toISOString(),
    departure_date: f.departureDate,
    aircraft: f.aircraft,
    cabin_services: f.cabinServices,
  };
}

/** Writes the airports; answers how many were new or changed. */
async function upsertAirports(trx: Knex.Transaction, airports: readonly AirportRecord[]): Promise<number> {
  const rows = [...new Map(airports.map((a) => [a.code, a])).values()].map((a) => ({
    code: a.code,
    name: a.name,
    city_id: a.cityId,
    city_name: a.cityName,
    country_code: a.countryCode,
    time_zone: a.timeZone,
  }));
  const described = AIRPORT_COLUMNS.slice(1);
  const { rows: written } = (await trx.raw(
    `insert into airports (${AIRPORT_COLUMNS.join(", ")}, update_time)
     select ${AIRPORT_COLUMNS.join(", ")}, now()
       from jsonb_to_recordset(?::jsonb) as x(code text, name text, city_id text, city_name text, country_code text, time_zone text)
      order by code
     on conflict (code) do update set ${described.map((c) => `${c} = excluded.${c}`).join(", ")}, update_time = excluded.update_time
       where (${described.map((c) => `airports.${c}`).join(", ")}) is distinct from (${described.map((c) => `excluded.${c}`).join(", ")})
     returning code`,
    [JSON.stringify(rows)],
  )) as { rows: unknown[] };
  return written.length;
}

/** Recomputes the merged flights from every seller's listing; returns the ids written (new or changed). */
async function mergeFlights(trx: Knex.Transaction, ids: readonly string[]): Promise<string[]> {
  const { rows } = (await trx.raw(
    `with latest as (
       select distinct on (flight_id) flight_id, listing from flight_sellers
        where flight_id = any(?::text[]) order by flight_id, update_time desc, seller_id),
     sellers as (
       select flight_id, array_agg(seller_id order by seller_id) as seller_ids, max(update_time) as update_time
         from flight_sellers where flight_id = any(?::text[]) group by flight_id)
     insert into flights (flight_id, ${FLIGHT_COLUMNS.join(", ")})
     select l.flight_id, ${FLIGHT_COLUMNS.map((c) => (c === "seller_ids" || c === "update_time" ? `s.${c}` : `d.${c}`)).join(", ")}
       from latest l join sellers s using (flight_id)
       cross join lateral jsonb_to_record(l.listing) as d(
         carrier_code text, carrier_name text, flight_number text, origin text, destination text,
         departure_time timestamptz, arrival_time timestamptz, departure_date date, aircraft text, cabin_services text[])
      order by l.flight_id
     on conflict (flight_id) do update set ${FLIGHT_COLUMNS.map((c) => `${c} = excluded.${c}`).join(", ")}
       where (${FLIGHT_COLUMNS.map((c) => `flights.${c}`).join(", ")}) is distinct from (${FLIGHT_COLUMNS.map((c) => `excluded.${c}`).join(", ")})
     returning flight_id`,
    [ids, ids],
  )) as { rows: { flight_id: string }[] };
  return rows.map((r) => r.flight_id);
}

function toFlight(r: Row): FlightRecord {
  return {
    flightId: r.flight_id as string,
    carrierCode: r.carrier_code as string,
    carrierName: r.carrier_name as string,
    flightNumber: r.flight_number as string,
    origin: r.origin as string,
    destination: r.destination as string,
    departureTime: r.departure_time as Date,
    arrivalTime: r.arrival_time as Date,
    departureDate: r.departure_day as string,
    aircraft: r.aircraft as string,
    cabinServices: r.cabin_services as string[],
    sellerIds: r.seller_ids as string[],
  };
}

function toAirport(r: Row): AirportRecord {
  return {
    code: r.code as string,
    name: r.name as string,
    cityId: r.city_id as string,
    cityName: r.city_name as string,
    countryCode: r.country_code as string,
    timeZone: r.time_zone as string,
  };
}
