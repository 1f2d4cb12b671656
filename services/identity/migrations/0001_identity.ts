// Identity's tables (schema "identity", first in the search path): customers
// with their password hashes, the token signing keys, and refresh tokens
// stored only as SHA-256 digests.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table customers (
      customer_id   uuid        primary key default gen_random_uuid(),
      -- normalised (trimmed, lower case) by the service
      email         text        not null unique check (email = lower(btrim(email)) and char_length(email) between 3 and 254),
      display_name  text        not null check (char_length(display_name) between 1 and 100),
      -- "scrypt$N$r$p$salt$hash", salt and hash base64url
      password_hash text        not null,
      roles         text[]      not null default '{customer}',
      create_time   timestamptz not null
    );

    -- Ed25519 signing keys; the newest signs, all of them verify.
    -- Sandbox: the private key is kept here as PKCS8 PEM (a real deployment keeps it in a KMS).
    create table signing_keys (
      kid          text        primary key,
      private_pem  text        not null,
      public_jwk   jsonb       not null,
      create_time  timestamptz not null
    );

    create table refresh_tokens (
      -- sha256 of the opaque token: a leaked table does not leak tokens
      token_hash  bytea       primary key,
      customer_id uuid        not null references customers (customer_id),
      expire_time timestamptz not null,
      -- set once when exchanged: a used token is refused
      used_time   timestamptz,
      create_time timestamptz not null
    );
    create index refresh_tokens_by_customer on refresh_tokens (customer_id);
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table refresh_tokens, signing_keys, customers`);
}
