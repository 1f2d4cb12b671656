// Test support: a marketplace's event bus at rest, on either engine, so that
// a test asserting an absence ("exactly one e-mail", "no reservation") waits
// for a fact instead of a time.
//
// - PostgreSQL: every group's deliveries handled (transport/bus/quiescence.testing.ts).
// - NATS JetStream: every publishing schema's outbox relayed (its table
//   empty: the relay deletes a row once the server stored it), then every
//   durable consumer of every stream with nothing pending and nothing
//   awaiting its ack (in flight, or nak'd and waiting for its redelivery).
//   Consumers are named "<group>--<topic>--…" (transport/bus/nats/subjects.ts).
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { until } from "../platform/processes.testing.js";
import type { BusEngine } from "../transport/bus/open.js";
import { untilBusSettled, type SettleOptions } from "../transport/bus/quiescence.testing.js";

export type { BusEngine };

export async function untilBusSettledOn(engine: BusEngine, at: { databaseUrl: string; natsUrl: string | undefined }, opts: SettleOptions = {}): Promise<void> {
  if (engine === "postgres") return untilBusSettled(at.databaseUrl, opts);
  if (!at.natsUrl) throw new Error("the marketplace runs on NATS but knows no NATS_URL");
  return untilNatsSettled(at.databaseUrl, at.natsUrl, opts);
}

/** Rows still in an outbox table, by schema. */
async function unrelayed(db: pg.Client): Promise<Map<string, number>> {
  const tables = await db.query<{ schema: string }>(`select table_schema as schema from information_schema.tables where table_name = 'outbox'`);
  const left = new Map<string, number>();
  for (const { schema } of tables.rows) {
    const r = await db.query<{ n: string }>(`select count(*) as n from ${pg.escapeIdentifier(schema)}.outbox`);
    left.set(schema, Number(r.rows[0]!.n));
  }
  return left;
}

async function untilNatsSettled(databaseUrl: string, natsUrl: string, opts: SettleOptions): Promise<void> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const nc = await connect({ servers: natsUrl });
  let behind = "";
  try {
    const jsm = await jetstreamManager(nc);
    await until(
      "a settled bus (outboxes relayed, every consumer's lag zero, nothing in flight)",
      async () => {
        const outboxes = [...(await unrelayed(db))].filter(([, n]) => n > 0).map(([schema, n]) => `${schema}.outbox: ${n} unrelayed`);
        const lagging: string[] = [];
        const groups = new Set<string>();
        for await (const stream of jsm.streams.list()) {
          for await (const c of jsm.consumers.list(stream.config.name)) {
            groups.add(c.name.split("--")[0]!);
            if (c.num_pending + c.num_ack_pending > 0) lagging.push(`${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} in flight`);
          }
        }
        const missing = (opts.groups ?? []).filter((g) => !groups.has(g)).map((g) => `${g} (not subscribed yet)`);
        behind = [...outboxes, ...missing, ...lagging].join(", ");
        return behind === "" && groups.size > 0 ? true : undefined;
      },
      opts.timeoutMs ?? 60_000,
    ).catch((e: unknown) => {
      throw new Error(`${e instanceof Error ? e.message : String(e)}; still behind: ${behind || "no consumer on the stream"}`);
    });
  } finally {
    await nc.close();
    await db.end();
  }
}
