// Test support: points of quiescence of the PostgreSQL bus, so that a test
// asserting an absence ("exactly one e-mail", "no reservation", "the
// rolled-back message was not delivered") waits for a fact instead of a time.
//
// A group's lag is its rows in bus.deliveries: one per message published to a
// topic it subscribes to and not yet handled. The row is inserted in the
// publisher's transaction, stays (leased) while a consumer handles the
// message, stays while a retry waits, and is deleted once the handling
// succeeded (or the message was dead-lettered). So a group with no row
// has handled everything published so far, and nothing of it is in flight.
import type { Knex } from "knex";
import pg from "pg";
import { until } from "../../platform/processes.testing.js";

export interface SettleOptions {
  /** The groups that must be settled; default every group subscribed to anything. */
  groups?: readonly string[];
  timeoutMs?: number;
}

/** Messages each group still has to handle (pending, in flight or waiting for a retry), by group; subscribed groups only. */
async function busLag(db: pg.ClientBase, groups?: readonly string[]): Promise<Map<string, number>> {
  const r = await db.query<{ group_name: string; lag: string }>(
    `select s.group_name, (select count(*) from bus.deliveries d where d.group_name = s.group_name) as lag
       from (select distinct group_name from bus.subscriptions) s
      where $1::text[] is null or s.group_name = any($1::text[])`,
    [groups ?? null],
  );
  return new Map(r.rows.map((row) => [row.group_name, Number(row.lag)]));
}

/**
 * Waits until every group (or the named ones, each of which must have
 * subscribed) has handled every message published so far: lag zero, nothing
 * in flight. Fails after the deadline naming the groups still behind.
 */
export async function untilBusSettled(databaseUrl: string, opts: SettleOptions = {}): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  let behind = "";
  try {
    await until(
      `a settled bus (lag zero, nothing in flight)`,
      async () => {
        const lag = await busLag(db, opts.groups);
        const missing = (opts.groups ?? []).filter((g) => !lag.has(g)).map((g) => `${g} (not subscribed yet)`);
        const lagging = [...lag].filter(([, n]) => n > 0).map(([g, n]) => `${g}: ${n}`);
        behind = [...missing, ...lagging].join(", ");
        return behind === "" && lag.size > 0 ? true : undefined;
      },
      opts.timeoutMs ?? 60_000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; still behind: ${behind || "no group subscribed"}`);
    });
  } finally {
    await db.end();
  }
}

/**
 * Resolves the next time a consumer of (group, topic) using `knex` looks for
 * work, finds none and goes to sleep until a notification or its poll: the
 * query for its next retry is the last thing it does before sleeping
 * (consumer.ts `nextRetryInMs`). Call it before the consumer starts (or before
 * the event that should make it idle), await it after.
 */
export function nextIdle(knex: Knex, group: string, topic: string, timeoutMs = 10_000): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      knex.off("query-response", onResponse);
      reject(new Error(`the consumer of ${topic} in group ${group} did not go idle within ${timeoutMs} ms`));
    }, timeoutMs);
    function onResponse(_response: unknown, query: { sql?: string; bindings?: readonly unknown[] }) {
      const b = query.bindings ?? [];
      if (!query.sql?.includes("min(available_at)") || b[0] !== group || b[1] !== topic) return;
      clearTimeout(timer);
      knex.off("query-response", onResponse);
      resolve();
    }
    knex.on("query-response", onResponse);
  });
}
