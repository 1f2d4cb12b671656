// The price store's tables (schema "pricing", first in the search path).
//
// nightly_rates: what sellers send, one row per seller, room and night.
// stay_totals:   the precomputed stays (1 to 7 nights, check-ins of the next
//                90 days), keyed for GetHotelOffers: one index range per hotel
//                gives every room and seller of one stay.
// rooms:         every (hotel, room, seller) ever quoted, so that one query
//                finds the rooms that lack a total for a stay.
// flight_fares:  the fare cache, one entry per route and local date.
// rules:         TTL and promotion rules as CEL expressions (data, not code).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table nightly_rates (
      seller_id   text        not null,
      hotel_id    text        not null,
      room_id     text        not null,
      night       date        not null,
      price_minor bigint      not null check (price_minor > 0),
      currency    text        not null check (currency ~ '^[A-Z]{3}$'),
      available   integer     not null check (available >= 0),
      price_time  timestamptz not null,
      -- InvalidateRoom: the night's price must not be shown as firm until the seller sends it again
      stale       boolean     not null default false,
      primary key (seller_id, hotel_id, room_id, night)
    );

    create table rooms (
      hotel_id  text not null,
      room_id   text not null,
      seller_id text not null,
      primary key (hotel_id, room_id, seller_id)
    );

    -- GetHotelOffers reads (hotel_id, check_in, nights) for up to 500 hotels:
    -- the primary key's prefix; InvalidateRoom narrows by hotel_id then room_id.
    -- No other index, so that ingestion writes one index per row.
    create table stay_totals (
      hotel_id         text        not null,
      check_in         date        not null,
      nights           smallint    not null check (nights between 1 and 7),
      room_id          text        not null,
      seller_id        text        not null,
      total_minor      bigint      not null check (total_minor > 0),
      list_total_minor bigint      not null check (list_total_minor >= total_minor),
      currency         text        not null,
      promotion        text,
      available        integer     not null check (available > 0),
      price_time       timestamptz not null,
      stale            boolean     not null default false,
      primary key (hotel_id, check_in, nights, room_id, seller_id)
    ) with (fillfactor = 90);

    create table flight_fares (
      origin         text        not null,
      destination    text        not null,
      departure_date date        not null,
      -- itinera.pricing.v1.FlightFare messages in protobuf JSON, as the sellers answered
      fares          jsonb       not null,
      fetch_time     timestamptz not null,
      expire_time    timestamptz not null,
      primary key (origin, destination, departure_date)
    );

    create table rules (
      name        text    primary key check (name ~ '^[a-z0-9][a-z0-9-]{0,62}$'),
      kind        text    not null check (kind in ('ttl', 'promotion')),
      -- CEL. ttl: a number of seconds from days_to_departure, origin, destination.
      -- promotion: a bool from nights, days_to_checkin, check_in_weekday (0 = Sunday), check_in_month (1-12).
      expression  text    not null,
      -- lower first: the first active ttl rule is used; the first promotion that applies wins
      priority    integer not null default 100,
      active      boolean not null default true,
      -- promotion only: the discount on the stay's list total
      percent_off integer check (percent_off between 1 and 100),
      description text    not null default '',
      check ((kind = 'promotion') = (percent_off is not null))
    );
  `);

  // Through the query builder: knex.raw would read the ternary's "?" as a binding.
  await knex("rules").insert([
    {
      name: "ttl-by-days-to-departure",
      kind: "ttl",
      expression:
        "days_to_departure <= 1 ? 60 : days_to_departure <= 7 ? 600 : days_to_departure <= 30 ? 3600 : 21600",
      priority: 100,
      percent_off: null,
      description:
        "Fares near departure move fast: 1 minute up to the next day, 10 minutes within a week, 1 hour within a month, 6 hours beyond.",
    },
    {
      name: "early-bird",
      kind: "promotion",
      expression: "nights >= 5 && days_to_checkin >= 30",
      priority: 100,
      percent_off: 10,
      description: "Stays of 5 nights or more booked 30 days or more ahead: 10 % off.",
    },
  ]);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table rules, flight_fares, stay_totals, rooms, nightly_rates`);
}
