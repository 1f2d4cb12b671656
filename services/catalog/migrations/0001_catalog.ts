// The catalog's tables (schema "catalog", the only schema in its search path).
//
// Each seller's listing of a hotel or flight is kept as it came
// (hotel_sellers, flight_sellers: one jsonb row per seller), and the merged
// rows customers see (hotels + rooms, flights) are recomputed from them when a
// listing changes:
// - descriptive fields come from the listing that changed most recently (ties:
//   the smaller seller id), so a seller re-sending the same data changes nothing
//   and two sellers that disagree do not flip the hotel back and forth;
// - rooms are the union of every seller's rooms, each described by the most
//   recent listing that has it; a room no seller lists any more disappears;
// - seller_ids are every seller listing it; update_time is the latest change.
// City aliases are kept per seller too (a seller's upsert replaces only its own
// aliases of the cities it sends).
//
// Search: pg_trgm and unaccent are installed in this schema (search_path has
// only "catalog", so functions, operators and operator classes must live here).
// `fold` is the one normalisation (lower case, no accents, single spaces) used
// by every folded column and every query. hotels.search_doc is a tsvector over
// name (weight A), city and its aliases (B), country (C), maintained by the
// store because aliases live in another table; search_words is the
// vocabulary of those documents, for correcting typos.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create extension if not exists pg_trgm with schema catalog;
    create extension if not exists unaccent with schema catalog;
  `);
  const { rows } = (await knex.raw(
    `select extname, extnamespace::regnamespace::text as schema from pg_extension where extname in ('pg_trgm', 'unaccent')`,
  )) as { rows: { extname: string; schema: string }[] };
  const elsewhere = rows.filter((r) => r.schema !== "catalog");
  if (elsewhere.length > 0) {
    throw new Error(
      `the catalog needs pg_trgm and unaccent in schema catalog; found ${elsewhere.map((r) => `${r.extname} in ${r.schema}`).join(", ")}`,
    );
  }
  await knex.raw(String.raw`
    -- Lower case, accents removed, runs of white space as one space, trimmed.
    -- Immutable (the dictionary is named with its schema), so that generated
    -- columns and indexes can use it.
    create function fold(text) returns text
      language sql immutable parallel safe strict
      as $$ select btrim(regexp_replace(lower(catalog.unaccent('catalog.unaccent'::regdictionary, $1)), '\s+', ' ', 'g')) $$;

    create table cities (
      city_id      text collate "C" primary key check (city_id ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
      name         text not null,
      country_code text not null check (country_code ~ '^[A-Z]{2}$'),
      country_name text not null default '',
      update_time  timestamptz not null,
      name_folded  text generated always as (fold(name)) stored
    );
    create index cities_by_name on cities (name_folded);
    create index cities_name_trigrams on cities using gin (name_folded gin_trgm_ops);

    create table city_aliases (
      city_id      text collate "C" not null,
      seller_id    text collate "C" not null,
      alias        text not null check (char_length(alias) between 1 and 64),
      alias_folded text generated always as (fold(alias)) stored,
      primary key (city_id, seller_id, alias)
    );
    create index city_aliases_by_alias on city_aliases (alias_folded);
    create index city_aliases_trigrams on city_aliases using gin (alias_folded gin_trgm_ops);

    -- name (A), city with its aliases (B), country name and code (C)
    create function hotel_search_doc(name text, city_id text, city_name text, country_name text, country_code text)
      returns tsvector language sql stable parallel safe
      as $$
        select setweight(to_tsvector('simple', catalog.fold(name)), 'A')
            || setweight(to_tsvector('simple', catalog.fold(city_name) || ' ' || coalesce(
                 (select string_agg(distinct a.alias_folded, ' ') from catalog.city_aliases a where a.city_id = hotel_search_doc.city_id), '')), 'B')
            || setweight(to_tsvector('simple', catalog.fold(country_name) || ' ' || lower(country_code)), 'C')
      $$;

    create table hotel_sellers (
      hotel_id    text collate "C" not null,
      seller_id   text collate "C" not null,
      -- the seller's listing: descriptive fields and rooms (see listings.ts)
      listing     jsonb not null,
      -- when this seller's listing last changed
      update_time timestamptz not null,
      primary key (hotel_id, seller_id)
    );

    create table hotels (
      hotel_id       text collate "C" primary key,
      name           text not null,
      city_id        text collate "C" not null,
      city_name      text not null,
      country_code   text not null check (country_code ~ '^[A-Z]{2}$'),
      country_name   text not null,
      star_rating    smallint not null check (star_rating between 1 and 5),
      address        text not null,
      amenities      text[] not null,
      image_urls     text[] not null,
      seller_ids     text[] not null check (cardinality(seller_ids) > 0),
      update_time    timestamptz not null,
      search_doc     tsvector not null,
      name_folded    text generated always as (fold(name)) stored,
      country_folded text generated always as (fold(country_name)) stored
    );
    create index hotels_by_city on hotels (city_id);
    create index hotels_by_country_name on hotels (country_folded);
    create index hotels_by_country_code on hotels (country_code);
    create index hotels_search_doc on hotels using gin (search_doc);
    create index hotels_name_trigrams on hotels using gin (name_folded gin_trgm_ops);

    -- Every word of every search document (never removed: a stale word only
    -- suggests a spelling that matches no hotel). Typos are corrected against
    -- this small vocabulary, as the pg_trgm documentation suggests, rather
    -- than by comparing the query with every hotel's name.
    create table search_words (
      word text collate "C" primary key
    );
    create index search_words_trigrams on search_words using gin (word gin_trgm_ops);
    -- The words of the vocabulary spelled most like query_word, most similar
    -- first. The planner prices trigram GIN scans far above a sequential scan
    -- of a few thousand rows, yet the scan computes the trigrams of every word
    -- (milliseconds) where the index answers in tens of microseconds: this
    -- one statement is planned without sequential scans.
    create function similar_words(query_word text, how_many integer) returns table (word text, similarity real)
      language sql stable parallel safe
      set enable_seqscan = off
      as $$
        select s.word, catalog.similarity(s.word, query_word) from catalog.search_words s
         where s.word operator(catalog.%) query_word
         order by 2 desc, 1 limit how_many
      $$;

    create table rooms (
      hotel_id      text collate "C" not null references hotels on delete cascade,
      room_id       text collate "C" not null,
      name          text not null,
      max_occupancy integer not null check (max_occupancy > 0),
      amenities     text[] not null,
      primary key (hotel_id, room_id)
    );

    create table airports (
      code         text collate "C" primary key check (code ~ '^[A-Z]{3}$'),
      name         text not null,
      city_id      text collate "C" not null,
      city_name    text not null,
      country_code text not null,
      time_zone    text not null,
      update_time  timestamptz not null,
      name_folded  text generated always as (fold(name)) stored,
      city_folded  text generated always as (fold(city_name)) stored
    );
    create index airports_by_city on airports (city_id);
    create index airports_name_trigrams on airports using gin (name_folded gin_trgm_ops);
    create index airports_city_trigrams on airports using gin (city_folded gin_trgm_ops);

    create table flight_sellers (
      flight_id   text collate "C" not null,
      seller_id   text collate "C" not null,
      listing     jsonb not null,
      update_time timestamptz not null,
      primary key (flight_id, seller_id)
    );

    create table flights (
      flight_id      text collate "C" primary key,
      carrier_code   text not null,
      carrier_name   text not null,
      flight_number  text not null,
      origin         text collate "C" not null check (origin ~ '^[A-Z]{3}$'),
      destination    text collate "C" not null check (destination ~ '^[A-Z]{3}$'),
      departure_time timestamptz not null,
      arrival_time   timestamptz not null,
      departure_date date not null,
      aircraft       text not null,
      cabin_services text[] not null,
      seller_ids     text[] not null check (cardinality(seller_ids) > 0),
      update_time    timestamptz not null,
      check (arrival_time > departure_time),
      check (origin <> destination)
    );
    create index flights_by_route on flights (origin, destination, departure_date, departure_time);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table flights, flight_sellers, airports, rooms, search_words, hotels, hotel_sellers, city_aliases, cities;
    drop function similar_words(text, integer);
    drop function hotel_search_doc(text, text, text, text, text);
    drop function fold(text);
    drop extension unaccent;
    drop extension pg_trgm;
  `);
}
