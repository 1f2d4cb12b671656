// Cancellations with the seller (issue 14): when a reservation is cancelled,
// sellers cancels its booking with the seller by our reference and records
// the seller's answer here, once — "cancelled", or "not_booked" when the
// seller held nothing live under that reference.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table seller_bookings
      add column cancel_result text check (cancel_result in ('cancelled', 'not_booked')),
      add column cancel_time   timestamptz,
      add check ((cancel_result is null) = (cancel_time is null));
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table seller_bookings drop column cancel_result, drop column cancel_time`);
}
