// ListPayments reads one customer's payments newest first, page after page
// (listing.ts: the keyset is create time, then payment id).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`create index payments_by_customer on payments (customer_id, create_time desc, payment_id desc)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop index payments_by_customer`);
}
