// The sellers service's tables (schema "sellers"): when each seller's data
// last arrived, the pushes received (idempotency by the seller's push id),
// which seller sells which hotel and route (so that a live quote asks only
// those), and each flight number's route (to place a pushed fare that names
// only its flight).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table feeds (
      seller_id      text        primary key check (char_length(seller_id) between 1 and 64),
      last_sync_time timestamptz not null
    );

    create table pushes (
      seller_id    text        not null,
      push_id      text        not null check (char_length(push_id) between 1 and 128),
      listings     integer     not null check (listings >= 0),
      rates        integer     not null check (rates >= 0),
      receive_time timestamptz not null,
      primary key (seller_id, push_id)
    );

    -- "hotel:h-P000123" or "route:LIS-MAD"
    create table coverage (
      item      text not null,
      seller_id text not null,
      primary key (item, seller_id)
    );

    create table flight_routes (
      flight_number text primary key,
      origin        text not null check (origin ~ '^[A-Z0-9]{3}$'),
      destination   text not null check (destination ~ '^[A-Z0-9]{3}$')
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table flight_routes, coverage, pushes, feeds`);
}
