// Test support: the NATS bus's point of quiescence, as untilBusSettled
// (../quiescence.testing.ts) is the PostgreSQL bus's — so a test asserting an
// absence ("exactly one e-mail") waits for a fact instead of a time.
//
// Settled: every outbox table named is empty (its rows are in the stream),
// every durable consumer of the groups (default: all) has nothing pending —
// no message not yet delivered, none delivered and not yet acknowledged (in
// a handler, or nak'd and waiting for its retry) — and nothing moved while
// all that was read.
import { jetstreamManager } from "@nats-io/jetstream";
import pg from "pg";
import { until } from "../../../platform/processes.testing.js";
import { connectNats } from "./nats-bus.js";
import { EVENTS_STREAM } from "./subjects.js";

export interface NatsSettleOptions {
  servers: string[];
  /** The groups that must be settled, each of which must have subscribed; default every group. */
  groups?: readonly string[];
  /** The publishers' outboxes: a database and its outbox tables (qualified, e.g. "booking.outbox"). */
  outboxes?: readonly { databaseUrl: string; tables: readonly string[] }[];
  timeoutMs?: number;
}

export async function untilNatsBusSettled(opts: NatsSettleOptions): Promise<void> {
  const nc = await connectNats(opts.servers, "quiescence");
  const databases = await Promise.all(
    (opts.outboxes ?? []).map(async (o) => {
      const client = new pg.Client({ connectionString: o.databaseUrl });
      await client.connect();
      return { client, tables: o.tables };
    }),
  );
  let behind = "";
  const unrelayed = async (): Promise<string[]> => {
    const waiting: string[] = [];
    for (const { client, tables } of databases) {
      for (const table of tables) {
        const r = await client.query<{ n: number }>(`select count(*)::int as n from ${table.split(".").map((p) => `"${p.replace(/"/g, '""')}"`).join(".")}`);
        if (r.rows[0]!.n > 0) waiting.push(`${table}: ${r.rows[0]!.n} rows to relay`);
      }
    }
    return waiting;
  };
  try {
    const jsm = await jetstreamManager(nc);
    await until(
      "a settled NATS bus (outboxes empty, nothing pending)",
      async () => {
        // Read in this order and required unchanged: the stream's last sequence, the outboxes, the
        // consumers, the outboxes, the last sequence. A handler that publishes (an outbox row) and
        // acknowledges between two reads is then seen: its row in the second look at the outboxes,
        // or, relayed already, in a moved last sequence.
        const lastSeq = async () => (await jsm.streams.info(EVENTS_STREAM)).state.last_seq;
        const before = await lastSeq();
        const waiting = await unrelayed();
        const lag = new Map<string, number>();
        for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
          const group = c.name.split("--")[0]!;
          if (opts.groups && !opts.groups.includes(group)) continue;
          lag.set(group, (lag.get(group) ?? 0) + c.num_pending + c.num_ack_pending);
        }
        waiting.push(...(await unrelayed()));
        const moved = (await lastSeq()) !== before ? ["events published while looking"] : [];
        const missing = (opts.groups ?? []).filter((g) => !lag.has(g)).map((g) => `${g} (not subscribed yet)`);
        const lagging = [...lag].filter(([, n]) => n > 0).map(([g, n]) => `${g}: ${n}`);
        behind = [...new Set(waiting), ...moved, ...missing, ...lagging].join(", ");
        return behind === "" && lag.size > 0 ? true : undefined;
      },
      opts.timeoutMs ?? 60_000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; still behind: ${behind || "no group subscribed"}`);
    });
  } finally {
    await Promise.all(databases.map((d) => d.client.end()));
    await nc.close();
  }
}
