// The wallet's tables (schema "wallet", first in the search path). The
// constraints are the last line of defence behind the service's own checks:
// no negative balance, no hold of nothing, a hold settles once, a command key
// is used once.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table balances (
      customer_id     text   not null check (char_length(customer_id) between 1 and 64),
      currency        text   not null check (currency ~ '^[A-Z]{3}$'),
      available_minor bigint not null default 0 check (available_minor >= 0),
      held_minor      bigint not null default 0 check (held_minor >= 0),
      primary key (customer_id, currency)
    );

    create table holds (
      hold_id      uuid        primary key default gen_random_uuid(),
      customer_id  text        not null,
      currency     text        not null,
      amount_minor bigint      not null check (amount_minor > 0),
      state        text        not null check (state in ('held', 'captured', 'released')),
      reference    text        not null default '' check (char_length(reference) <= 128),
      create_time  timestamptz not null,
      settle_time  timestamptz,
      foreign key (customer_id, currency) references balances (customer_id, currency),
      -- settled exactly when captured or released
      check ((state = 'held') = (settle_time is null))
    );

    create table transactions (
      transaction_id        uuid        primary key default gen_random_uuid(),
      -- insertion order: breaks ties between transactions of the same instant
      -- (random UUIDs would list them in random order)
      seq                   bigint      generated always as identity unique,
      customer_id           text        not null,
      currency              text        not null,
      kind                  text        not null check (kind in ('credit', 'hold', 'capture', 'release')),
      amount_minor          bigint      not null check (amount_minor > 0),
      hold_id               uuid        references holds (hold_id),
      reference             text        not null default '' check (char_length(reference) <= 128),
      reason                text        check (reason in ('cashback', 'refund', 'promotion')),
      available_after_minor bigint      not null check (available_after_minor >= 0),
      create_time           timestamptz not null,
      foreign key (customer_id, currency) references balances (customer_id, currency),
      -- a credit says why and concerns no hold; every other kind concerns a hold
      check ((kind = 'credit') = (reason is not null)),
      check ((kind = 'credit') = (hold_id is null))
    );

    -- a statement, newest first, with or without a currency filter (keyset pagination)
    create index transactions_by_customer
      on transactions (customer_id, create_time desc, seq desc);
    create index transactions_by_customer_currency
      on transactions (customer_id, currency, create_time desc, seq desc);
    -- a hold is settled (captured or released) at most once
    create unique index transactions_one_settlement_per_hold
      on transactions (hold_id) where kind in ('capture', 'release');

    create table commands (
      idempotency_key text        primary key check (char_length(idempotency_key) between 1 and 128),
      method          text        not null,
      request_hash    bytea       not null,
      -- the serialized protobuf response, returned as-is on a replay
      response        bytea       not null,
      create_time     timestamptz not null default now()
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table commands, transactions, holds, balances`);
}
