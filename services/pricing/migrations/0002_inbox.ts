// The inbox of pricing's consumers (transport/bus/inbox.ts): the messages
// handled, recorded in the same transaction as their effect, so that a
// redelivered RoomSoldOut changes nothing (availability.ts).
import type { Knex } from "knex";
import { createInboxTable } from "../../../platform/inbox.js";

export async function up(knex: Knex): Promise<void> {
  await createInboxTable(knex, "inbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table inbox`);
}
