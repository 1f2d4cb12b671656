// The account e-mails (issue 9: the sign-up link, and "someone tried to sign
// up with your address"): one per identity event, so their idempotency record
// is the bus message itself — an inbox of the messages handled, written in
// the transaction that is open while the SMTP server takes the e-mail.
import type { Knex } from "knex";
import { createInboxTable } from "../../../platform/inbox.js";

export async function up(knex: Knex): Promise<void> {
  await createInboxTable(knex, "account_inbox");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table account_inbox`);
}
