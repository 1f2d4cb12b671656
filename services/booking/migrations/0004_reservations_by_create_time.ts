// The operator's chart (stats.ts) counts the reservations created in a
// recent window: an index on create_time keeps that a range scan, however
// many reservations there are.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw("create index reservations_by_create_time on reservations (create_time)");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw("drop index reservations_by_create_time");
}
