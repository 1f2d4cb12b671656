// The payment service's tables (schema "payment", first in the search path).
// The constraints are the last line of defence behind the service's checks:
// positive amounts, a refund total that never passes the amount, an
// idempotency key used once per scope, a gateway event recorded once.
import type { Knex } from "knex";
import { createInboxTable } from "../../../platform/inbox.js";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table payments (
      payment_id     text        primary key check (payment_id ~ '^pay_[0-9a-f]{32}$'),
      customer_id    text        not null check (char_length(customer_id) between 1 and 64),
      -- itinera.type.v1.Item, protobuf binary: carried as-is to the reservation
      item           bytea       not null,
      currency       text        not null check (currency ~ '^[A-Z]{3}$'),
      amount_minor   bigint      not null check (amount_minor > 0),
      markdown_minor bigint      not null check (markdown_minor >= 0),
      refunded_minor bigint      not null default 0 check (refunded_minor between 0 and amount_minor),
      state          text        not null check (state in ('pending', 'authorised', 'declined', 'expired')),
      -- the gateway's session, once it answered; its card page is where the customer pays
      session_id     text        unique,
      redirect_url   text,
      return_url     text        not null,
      decline_reason text        not null default '',
      -- booking's reservation made from this payment, once booking answered
      reservation_id text,
      create_time    timestamptz not null,
      update_time    timestamptz not null,
      -- when the gateway's decision authorised it
      authorise_time timestamptz,
      check ((session_id is null) = (redirect_url is null)),
      check ((state = 'authorised') = (authorise_time is not null)),
      -- only money that was taken can be given back
      check (refunded_minor = 0 or state = 'authorised')
    );
    -- the expiry sweep: the oldest payments still waiting for the gateway
    create index payments_pending_by_age on payments (create_time) where state = 'pending';

    -- idempotency of MakePayment (scope "customer:<id>": keys are the customer's own)
    -- and Refund (scope "refund": one key space shared by the services that refund)
    create table commands (
      scope           text        not null,
      idempotency_key text        not null check (char_length(idempotency_key) between 1 and 128),
      method          text        not null,
      request_hash    bytea       not null,
      payment_id      text        not null references payments (payment_id),
      -- the serialized protobuf response, once the gateway answered; null while in progress
      response        bytea,
      create_time     timestamptz not null default now(),
      primary key (scope, idempotency_key)
    );

    create table refunds (
      idempotency_key text        primary key,
      payment_id      text        not null references payments (payment_id),
      refund_id       text        not null,
      amount_minor    bigint      not null check (amount_minor > 0),
      reason          text        not null default '',
      create_time     timestamptz not null
    );
    create index refunds_by_payment on refunds (payment_id);

    -- the gateway's callbacks already applied: a duplicate delivery changes nothing
    create table gateway_events (
      event_id    text        primary key,
      payment_id  text        not null references payments (payment_id),
      status      text        not null check (status in ('authorised', 'declined')),
      received_at timestamptz not null default now()
    );
  `);
  // the payment.payments messages the reservation consumer has handled
  await createInboxTable(knex, "inbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table inbox, gateway_events, refunds, commands, payments`);
}
