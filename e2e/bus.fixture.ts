// Test support: a marketplace's event bus on either engine — at rest, so
// that a test asserting an absence ("exactly one e-mail", "no reservation")
// waits for a fact instead of a time; and how many events it carried.
//
// - PostgreSQL: every group's deliveries handled (transport/bus/quiescence.testing.ts).
// - NATS JetStream: every publishing schema's outbox relayed, and every
//   group with nothing pending or awaiting its ack
//   (transport/bus/nats/quiescence.testing.ts).
import { jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import pg from "pg";
import { untilNatsBusSettled } from "../transport/bus/nats/quiescence.testing.js";
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

/** NATS_URL's servers (comma-separated: a cluster's). */
function natsUrlOf(at: BusAt): string[] {
  if (!at.natsUrl) throw new Error("the marketplace runs on NATS but knows no NATS_URL");
  return at.natsUrl.split(",").map((s) => s.trim());
}

export async function untilBusSettledOn(engine: BusEngine, at: BusAt, opts: SettleOptions = {}): Promise<void> {
  return engine === "postgres" ? untilBusSettled(at.databaseUrl, opts) : untilNatsSettled(at.databaseUrl, natsUrlOf(at), opts);
}

/** The publishers' outbox tables (each publishing service's schema has one: its migration's createOutboxTable). */
async function outboxTables(databaseUrl: string): Promise<string[]> {
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const r = await db.query<{ schema: string }>(`select table_schema as schema from information_schema.tables where table_name = 'outbox' order by 1`);
    return r.rows.map((row) => `${row.schema}.outbox`);
  } finally {
    await db.end();
  }
}

async function untilNatsSettled(databaseUrl: string, servers: string[], opts: SettleOptions): Promise<void> {
  const tables = await outboxTables(databaseUrl);
  await untilNatsBusSettled({ servers, outboxes: [{ databaseUrl, tables }], ...opts });
}
