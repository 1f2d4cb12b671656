// The outbox of the NATS JetStream bus (BUS=nats, issue 11): payment's events are
// written to this table of its own schema in the transaction of the change
// they report, and its relay sends them to JetStream (transport/bus/nats/).
// The PostgreSQL engine (the default) leaves it empty.
import type { Knex } from "knex";
import { createOutboxTable } from "../../../transport/bus/nats/outbox.js";

export async function up(knex: Knex): Promise<void> {
  await createOutboxTable(knex, "outbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTable("outbox");
}
