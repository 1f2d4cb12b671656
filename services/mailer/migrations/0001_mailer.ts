// The mailer's table (schema "mailer"): one row per e-mail it owes a
// customer, keyed by reservation and kind, so a reservation event delivered
// twice (or published twice) can only ever be one e-mail. A row is written as
// 'sending' (attempts counted) before the SMTP server is contacted and turned
// 'sent' right after the server accepted the message; a redelivery that finds
// 'sent' does nothing, one that finds 'sending' sends again with the same
// Message-ID (see notifier.ts for the window that leaves).
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table emails (
      reservation_id text        not null check (char_length(reservation_id) between 1 and 128),
      kind           text        not null check (kind in ('invoice', 'apology', 'cancellation')),
      -- the Message-ID header, deterministic: <kind.reservation@itinera.example>
      message_id     text        not null unique,
      subject        text        not null,
      state          text        not null check (state in ('sending', 'sent')),
      -- how many times a send was started: more than 1 means an earlier try may have
      -- reached the server too (a duplicate would carry the same Message-ID)
      attempts       integer     not null check (attempts >= 1),
      create_time    timestamptz not null default now(),
      -- when the SMTP server accepted it
      send_time      timestamptz,
      primary key (reservation_id, kind),
      check ((state = 'sent') = (send_time is not null))
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table emails`);
}
