// Test support: a marketplace's event bus on either engine — at rest, so
// that a test asserting an absence ("exactly one e-mail", "no reservation")
// waits for a fact instead of a time; and how many events it carried.
//
// - PostgreSQL: every group's deliveries handled (transport/bus/quiescence.testing.ts).
// - NATS JetStream: every publishing schema's outbox relayed (its table
//   empty: the relay deletes a row once the server stored it), then every
//   durable consumer of the events stream with nothing pending and nothing
//   awaiting its ack (in flight, or nak'd and waiting for its redelivery).
//   Consumers are named "<group>--<topic>--…" (transport/bus/nats/subjects.ts).
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { until } from "../platform/processes.testing.js";
import { EVENTS_STREAM } from "../transport/bus/nats/subjects.js";
import type { BusEngine } from "../transport/bus/open.js";
import { untilBusSettled, type SettleOptions } from "../transport/bus/quiescence.testing.js";

export type { BusEngine };

/** Where a marketplace's bus keeps its events: the database (and its outboxes), and the JetStream server on NATS. */
export interface BusAt {
  databaseUrl: string;
  natsUrl: string | undefined;
}

/** Events published so far (relayed to JetStream, on NATS): rows of bus.messages, or messages of the events stream. */
export async function publishedOn(engine: BusEngine, at: BusAt): Promise<number> {
  if (engine === "nats") {
    const nc = await connect({ servers: natsUrlOf(at) });
    try {
      return (await (await jetstreamManager(nc)).streams.info(EVENTS_STREAM)).state.messages;
    } finally {
      await nc.close();
    }
  }
  // A connection per call: the database itself may have been killed since the last one.
  const db = new pg.Client({ connectionString: at.databaseUrl });
  db.on("error", () => {});
  try {
    await db.connect();
    return Number((await db.query<{ n: string }>(`select count(*) as n from bus.messages`)).rows[0]!.n);
  } finally {
    await db.end().catch(() => {});
  }
}

/** NATS_URL's servers: one, or a cluster's, comma-separated. */
function natsUrlOf(at: BusAt): string[] {
  if (!at.natsUrl) throw new Error("the marketplace runs on NATS but knows no NATS_URL");
  return at.natsUrl.split(",");
}

export async function untilBusSettledOn(engine: BusEngine, at: BusAt, opts: SettleOptions = {}): Promise<void> {
  return engine === "postgres" ? untilBusSettled(at.databaseUrl, opts) : untilNatsSettled(at.databaseUrl, natsUrlOf(at), opts);
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

async function untilNatsSettled(databaseUrl: string, natsUrl: string[], opts: SettleOptions): Promise<void> {
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
        for await (const c of jsm.consumers.list(EVENTS_STREAM)) {
          groups.add(c.name.split("--")[0]!);
          if (c.num_pending + c.num_ack_pending > 0) lagging.push(`${c.name}: ${c.num_pending} pending, ${c.num_ack_pending} in flight`);
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
