// Booking with the sellers (saga step 4, bookings.ts): one row per
// reservation, so that a redelivered or repeated ReservationPaid never asks
// the seller again once its answer is known, and finishes what was left.
//   status    pending → confirmed | refused | abandoned (down past the deadline)
//   outcome   what the saga did with it, set with the inbox mark when done:
//             confirmed (booking confirmed), failed (refunded and failed),
//             cancelled (the customer cancelled meanwhile; nothing to do)
// The inbox holds the ReservationEvent messages handled (transport/bus/inbox.ts).
import type { Knex } from "knex";
import { createInboxTable } from "../../../platform/inbox.js";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table seller_bookings (
      reservation_id text        primary key check (char_length(reservation_id) between 1 and 128),
      seller_id      text        not null,
      status         text        not null default 'pending'
                                 check (status in ('pending', 'confirmed', 'refused', 'abandoned')),
      -- the seller's own reference (locator, confirmation code), once confirmed
      reference      text,
      -- why it was refused or abandoned, as the seller or the last failure said it
      reason         text,
      -- booking attempts (each counted before the seller is called)
      attempts       integer     not null default 0 check (attempts >= 0),
      last_error     text,
      outcome        text        check (outcome in ('confirmed', 'failed', 'cancelled')),
      create_time    timestamptz not null default now(),
      update_time    timestamptz not null default now(),
      finish_time    timestamptz,
      check ((status = 'confirmed') = (reference is not null)),
      check ((outcome is null) = (finish_time is null))
    );
  `);
  await createInboxTable(knex, "inbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table inbox, seller_bookings`);
}
