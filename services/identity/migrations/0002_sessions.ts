// Sessions that can end (issue 9): every refresh token belongs to a family —
// the tokens one sign-in produced, each refreshed from the one before — and a
// family can be revoked as a whole (sign-out; a spent token presented again).
// Tokens issued before this migration each become a family of their own.
// And the sign-in / service-token throttle: failure counters with backoff,
// kept here rather than in process memory so that every identity instance
// sees the same counts.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table refresh_families (
      family_id    uuid        primary key default gen_random_uuid(),
      customer_id  uuid        not null references customers (customer_id),
      create_time  timestamptz not null,
      -- set once: no token of the family is accepted from then on
      revoked_time timestamptz
    );
    create index refresh_families_by_customer on refresh_families (customer_id);

    alter table refresh_tokens add column family_id uuid;
    update refresh_tokens set family_id = gen_random_uuid();
    insert into refresh_families (family_id, customer_id, create_time)
      select family_id, customer_id, create_time from refresh_tokens;
    alter table refresh_tokens
      alter column family_id set not null,
      add constraint refresh_tokens_family_fk foreign key (family_id) references refresh_families (family_id);
    create index refresh_tokens_by_family on refresh_tokens (family_id);

    create table throttles (
      -- "<kind>:<sha256 hex of the subject>": no e-mail address or client address in clear
      key           text        primary key check (char_length(key) <= 100),
      -- attempts counted and not yet forgiven (a success forgives)
      failures      integer     not null check (failures >= 0),
      -- no attempt is admitted before this
      blocked_until timestamptz,
      update_time   timestamptz not null
    );
    create index throttles_by_update_time on throttles (update_time);
  `);
}

// Families do not exist below this migration, and up() makes every token a
// family of its own again: a token of a revoked family (signed out, or a
// family whose spent token was replayed) is marked used first, so neither the
// release before this one nor this one run again accepts it.
export async function down(knex: Knex): Promise<void> {
  await knex.raw(`
    update refresh_tokens t set used_time = f.revoked_time
      from refresh_families f
     where f.family_id = t.family_id and f.revoked_time is not null and t.used_time is null;
    drop table throttles;
    alter table refresh_tokens drop column family_id;
    drop table refresh_families;
  `);
}
