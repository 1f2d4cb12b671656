// The trace a payment was made in (the W3C traceparent of its MakePayment),
// so that the gateway's decision — a callback in a request of its own, after
// the customer paid on the card page — continues that trace: booking's saga,
// from the BFF's StartBooking to the mailer's e-mail, is one trace.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table payments add column traceparent text check (char_length(traceparent) <= 55)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table payments drop column traceparent`);
}
