// The one place a process chooses its bus engine. Every main.ts that
// publishes or subscribes calls openBus once, after opening its own database,
// and hands `outboxOf` to its store: service and store code then name no
// engine. The PostgreSQL engine (the default, what `make start` runs) keeps
// its log in the "bus" schema of the same database.
import type { Knex } from "knex";
import type { Bus, DeadLetters, Outbox } from "../../endpoints/bus.js";
import { config, oneOf, serverList, type Env } from "../../platform/config.js";
import type { Database } from "../../platform/db.js";
import type { Runtime } from "../../platform/runtime.js";
import { postgresOutbox } from "./outbox.js";
import { PostgresBus } from "./postgres-bus.js";

/** The outbox of the bus engine inside one of a store's transactions. */
export type OutboxOf = (trx: Knex.Transaction) => Outbox;

export interface OpenedBus {
  bus: Bus;
  /** What the service's store calls in each unit of work that publishes. */
  outboxOf: OutboxOf;
  /** The operators' view of messages given up on. */
  deadLetters?: DeadLetters;
  /** For /readyz: true when the engine's storage answers, else why not. */
  ready(): Promise<true | string>;
  /** Stops every subscription (after their messages in hand), then frees the engine's connections. */
  close(): Promise<void>;
}

export interface OpenBusOptions {
  /** The process's name: the NATS connection's name, the outbox relay's. */
  service: string;
  /** The service's own database (already opened); the NATS engine relays its schema's "outbox" table. */
  db: Database;
  /** Where BUS and NATS_URL are read; default process.env. */
  env?: Env;
}

/** The engines BUS chooses from: PostgreSQL (one database, the default) or NATS JetStream (beyond one machine). */
export const BUS_ENGINES = ["postgres", "nats"] as const;
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** BUS and NATS_URL, for platform/config.ts's config(). */
export function busSettings() {
  return {
    engine: oneOf("BUS", BUS_ENGINES, "postgres"),
    natsServers: serverList("NATS_URL", ["nats", "tls"], [DEFAULT_NATS_URL]),
  };
}

const BUS_MIGRATIONS = new URL("./migrations", import.meta.url);

export type BusEngine = (typeof BUS_ENGINES)[number];

export async function openBus(rt: Runtime, opts: OpenBusOptions): Promise<OpenedBus> {
  const settings = config(opts.env ?? process.env, busSettings());
  if (settings.engine === "nats") throw new Error("BUS=nats: the NATS JetStream engine (transport/bus/nats/) is not merged into this branch yet");
  const busDb = await rt.openDatabase("bus", BUS_MIGRATIONS);
  const bus = new PostgresBus({ knex: busDb.knex, log: rt.log });
  return {
    bus,
    outboxOf: postgresOutbox,
    ready: busDb.ready,
    async close() {
      await bus.close();
      await busDb.close();
    },
  };
}
