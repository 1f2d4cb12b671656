// Booking's tables (schema "booking", first in the search path). The
// constraints are the last line of defence behind the service's own checks:
// one reservation per payment, money that adds up, and the columns each state
// needs present exactly in that state.
import type { Knex } from "knex";
import { createInboxTable } from "../../../platform/inbox.js";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table reservations (
      -- derived from the payment id (ids.ts), so a retried CreateReservation holds the wallet under the same key
      reservation_id      text        primary key check (char_length(reservation_id) between 1 and 64),
      -- insertion order: the keyset of ListReservations (newest first)
      seq                 bigint      generated always as identity unique,
      payment_id          text        not null unique check (char_length(payment_id) between 1 and 64),
      customer_id         text        not null check (char_length(customer_id) between 1 and 64),
      state               text        not null check (state in ('paid', 'confirmed', 'fulfilled', 'cancelled', 'failed')),
      -- itinera.type.v1.Item in protobuf JSON: readable in psql, decoded with the same schema
      item                jsonb       not null,
      currency            text        not null check (currency ~ '^[A-Z]{3}$'),
      -- what the card paid
      amount_minor        bigint      not null check (amount_minor > 0),
      -- what the wallet pays (held while PAID, captured once CONFIRMED)
      markdown_minor      bigint      not null default 0 check (markdown_minor >= 0),
      -- the wallet's hold of the markdown; null when there is no markdown or the wallet refused it
      hold_id             text,
      seller_reference    text        not null default '' check (char_length(seller_reference) <= 200),
      failure_reason      text        not null default '' check (char_length(failure_reason) <= 500),
      -- who failed it: the wallet (refused the hold at creation; booking refunds the card) or the seller
      failure_source      text        check (failure_source in ('wallet', 'seller')),
      -- the state a cancellation came from: it says what the settlement must undo
      cancelled_from      text        check (cancelled_from in ('paid', 'confirmed')),
      cancellation_fee_minor bigint   not null default 0 check (cancellation_fee_minor >= 0),
      -- what goes back to the card (FAILED or CANCELLED)
      refunded_minor      bigint      not null default 0 check (refunded_minor >= 0),
      -- what goes back to the wallet on a cancellation (released hold or credit)
      wallet_refund_minor bigint      not null default 0 check (wallet_refund_minor >= 0),
      create_time         timestamptz not null,
      update_time         timestamptz not null,
      check (cancellation_fee_minor + refunded_minor <= amount_minor),
      check (wallet_refund_minor <= markdown_minor),
      check (hold_id is null or markdown_minor > 0),
      check ((state = 'failed') = (failure_source is not null)),
      check ((state = 'cancelled') = (cancelled_from is not null)),
      check (state not in ('confirmed', 'fulfilled') or seller_reference <> '')
    );
    -- a customer's reservations, newest first (keyset pagination)
    create index reservations_by_customer on reservations (customer_id, seq desc);

    -- bookings a room may still take per night before pricing is told it sold
    -- out; a row appears at the threshold when the room-night is first booked
    create table availability (
      seller_id text    not null,
      hotel_id  text    not null,
      room_id   text    not null,
      night     date    not null,
      remaining integer not null check (remaining >= 0),
      primary key (seller_id, hotel_id, room_id, night)
    );
  `);
  // the settlement consumer's processed messages (transport/bus/inbox.ts)
  await createInboxTable(knex, "inbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table inbox, availability, reservations`);
}
