// The mailer's repository: every SQL statement of the mailer lives here.
// The table (migrations/0001_mailer.ts) holds one row per (reservation, kind):
// the e-mail's Message-ID and subject, 'sending' while a send may be under
// way, 'sent' once the SMTP server accepted it.
import type { Knex } from "knex";
import type { DeliveryMeta } from "../../endpoints/bus.js";
import { alreadyProcessed, inTransactionOnce } from "../../platform/inbox.js";

/** The inbox of the account e-mails (migrations/0002_account_emails.ts). */
const ACCOUNT_INBOX = "account_inbox";

export type EmailType = "invoice" | "apology" | "cancellation";
export type EmailState = "sending" | "sent";

export interface EmailKey {
  reservationId: string;
  kind: EmailType;
}

export interface EmailRow extends EmailKey {
  messageId: string;
  subject: string;
  state: EmailState;
  attempts: number;
  createTime: Date;
  sendTime: Date | null;
}

interface Row {
  reservation_id: string;
  kind: EmailType;
  message_id: string;
  subject: string;
  state: EmailState;
  attempts: number;
  create_time: Date;
  send_time: Date | null;
}

const rowOf = (r: Row): EmailRow => ({
  reservationId: r.reservation_id,
  kind: r.kind,
  messageId: r.message_id,
  subject: r.subject,
  state: r.state,
  attempts: r.attempts,
  createTime: r.create_time,
  sendTime: r.send_time,
});

export class EmailStore {
  constructor(private readonly knex: Knex) {}

  async find(key: EmailKey): Promise<EmailRow | undefined> {
    const r = await this.knex.raw<{ rows: Row[] }>(`select * from emails where reservation_id = ? and kind = ?`, [
      key.reservationId,
      key.kind,
    ]);
    return r.rows[0] && rowOf(r.rows[0]);
  }

  /**
   * Records (and commits) that a send is about to start: inserts the row as
   * 'sending', or counts one more attempt on a row still 'sending'. Resolves
   * to the attempt's number, or undefined when the e-mail was already sent.
   */
  async startAttempt(key: EmailKey, messageId: string, subject: string): Promise<number | undefined> {
    const r = await this.knex.raw<{ rows: { attempts: number }[] }>(
      `insert into emails (reservation_id, kind, message_id, subject, state, attempts)
       values (?, ?, ?, ?, 'sending', 1)
       on conflict (reservation_id, kind) do update
         set attempts = emails.attempts + 1, subject = excluded.subject
         where emails.state = 'sending'
       returning attempts`,
      [key.reservationId, key.kind, messageId, subject],
    );
    return r.rows[0]?.attempts;
  }

  /**
   * Runs `send` while holding the row's lock, and marks the row 'sent' in the
   * same transaction as soon as `send` resolves: the connection is taken and
   * the transaction open BEFORE the SMTP server is contacted, so what is left
   * between the server's acceptance and the commit is one UPDATE and the
   * COMMIT on a connection already in hand. Resolves to false (nothing sent)
   * when another delivery marked the row 'sent' meanwhile; rejects, leaving
   * the row 'sending', when `send` does.
   */
  async sendOnce(key: EmailKey, send: () => Promise<void>): Promise<boolean> {
    return this.knex.transaction(async (trx) => {
      const locked = await trx.raw<{ rows: { state: EmailState }[] }>(
        `select state from emails where reservation_id = ? and kind = ? for update`,
        [key.reservationId, key.kind],
      );
      const state = locked.rows[0]?.state;
      if (state === undefined) throw new Error(`no e-mail row for ${key.kind} of ${key.reservationId}: startAttempt first`);
      if (state === "sent") return false;
      await send();
      await trx.raw(`update emails set state = 'sent', send_time = now() where reservation_id = ? and kind = ?`, [
        key.reservationId,
        key.kind,
      ]);
      return true;
    });
  }

  /** Whether the account e-mail of this bus message was sent already. */
  accountEmailSent(meta: Pick<DeliveryMeta, "group" | "messageId">): Promise<boolean> {
    return alreadyProcessed(this.knex, ACCOUNT_INBOX, meta.group, meta.messageId);
  }

  /**
   * Runs `send` for this bus message unless it ran before, and records it in
   * the same transaction, opened before the SMTP server is contacted (the
   * window of notifier.ts's step 4 remains: a crash between the server's
   * acceptance and the commit sends again, with the same Message-ID).
   * Resolves to false when it had already run; rejects, recording nothing,
   * when `send` does.
   */
  sendAccountEmailOnce(meta: Pick<DeliveryMeta, "group" | "messageId">, send: () => Promise<void>): Promise<boolean> {
    return inTransactionOnce(this.knex, ACCOUNT_INBOX, meta, () => send());
  }

  /** The e-mails sent about a reservation, oldest first. */
  async listSent(reservationId: string): Promise<EmailRow[]> {
    const r = await this.knex.raw<{ rows: Row[] }>(
      `select * from emails where reservation_id = ? and state = 'sent' order by send_time, message_id`,
      [reservationId],
    );
    return r.rows.map(rowOf);
  }
}
