// Sign-up confirms the address (issue 9): an account is usable once its
// owner followed the link e-mailed to it. Accounts made before this migration
// count as confirmed. Each link is a row here, stored as a digest, carrying
// the password and name of the sign-up that sent it: following a link sets
// those, so a sign-up by someone else for the same (unconfirmed) address
// cannot choose the password of the account its owner confirms.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    alter table customers add column verified_time timestamptz;
    update customers set verified_time = create_time;

    create table email_verifications (
      verification_id uuid        primary key default gen_random_uuid(),
      -- sha256 of the link's token
      token_hash      bytea       not null unique,
      customer_id     uuid        not null references customers (customer_id),
      password_hash   text        not null,
      display_name    text        not null check (char_length(display_name) between 1 and 100),
      expire_time     timestamptz not null,
      -- set once when followed; every other link of the customer is spent with it
      used_time       timestamptz,
      create_time     timestamptz not null
    );
    create index email_verifications_by_customer on email_verifications (customer_id);
  `);
}

// Below this migration every account is usable, and up() counts every
// account it finds as confirmed: an unconfirmed sign-up (whose password was
// chosen by whoever typed the address) is deleted first, so that it becomes
// nobody's account. Its owner signs up again; its links are dropped with the table.
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    drop table email_verifications;
    delete from refresh_tokens where customer_id in (select customer_id from customers where verified_time is null);
    delete from refresh_families where customer_id in (select customer_id from customers where verified_time is null);
    delete from customers where verified_time is null;
    alter table customers drop column verified_time;
  `);
}
