// One replica at a time: a scheduled job (a seller's sync, an expiry or
// fulfilment sweep) runs only where it holds the PostgreSQL advisory lock of
// its name, so the replicas of a service share one schedule without running a
// job twice at once. The lock belongs to a transaction on one pooled
// connection for the job's length: it ends with the job, and with its holder
// (the server drops a dead client's session and its locks). A replica that
// finds the lock held skips that run; the holder is doing it.
import type { Knex } from "knex";

export type Exclusive = <T>(name: string, job: () => Promise<T>) => Promise<{ ran: true; value: T } | { ran: false }>;

/** Runs jobs under advisory locks on `knex`'s database; names share one key space per database. */
export function advisoryExclusive(knex: Knex): Exclusive {
  return (name, job) =>
    knex.transaction(async (trx) => {
      const { rows } = await trx.raw<{ rows: { held: boolean }[] }>("select pg_try_advisory_xact_lock(hashtextextended(?, 0)) as held", [
        `itinera.job:${name}`,
      ]);
      if (!rows[0]?.held) return { ran: false as const };
      return { ran: true as const, value: await job() };
    });
}
