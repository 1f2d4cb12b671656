// The operator role (issue 14): an account's roles are "customer", which
// every account has, and "operator", which only GrantOperatorRole gives (the
// people's tools; never a sign-up). The check keeps any other word out of
// the roles claim access tokens carry.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`alter table customers add constraint customers_roles_known check (roles <@ array['customer', 'operator']::text[])`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`alter table customers drop constraint customers_roles_known`);
}
