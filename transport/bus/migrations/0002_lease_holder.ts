// Who holds a delivery's lease (transport/bus/consumer.ts): the backend pid of
// the holding bus's LISTEN connection, which lives as long as its process. A
// lease whose holder's connection is gone (the process was killed) is over at
// once, without waiting for available_at; a live but hung holder keeps it
// until available_at.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table bus.deliveries add column leased_by integer`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table bus.deliveries drop column leased_by`);
}
