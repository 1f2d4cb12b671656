// What the last pull of each pull seller was (sync.ts), so that the next one
// sends on only what changed: per seller, the feed's version the seller gave
// (part "version", with the first night of the rate window it was pulled
// for) and a digest of every page written (parts "listings:<n>", "rates:<n>").
// A part is recorded only once what it stands for was written to catalog and
// pricing.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table pull_state (
      seller_id text not null check (char_length(seller_id) between 1 and 64),
      part      text not null check (char_length(part) between 1 and 64),
      value     text not null check (char_length(value) between 1 and 256),
      primary key (seller_id, part)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table pull_state`);
}
