// The one place a process chooses its bus engine (BUS). Every main.ts that
// publishes or subscribes calls openBus once, after opening its own database,
// and hands `outboxOf` to its store: service and store code then name no
// engine.
// - postgres (the default, what `make start` runs): the log in the "bus"
//   schema of the same database; a store's outbox writes into it inside the
//   store's transaction.
// - nats: NATS JetStream at NATS_URL (transport/bus/nats/); a store's outbox
//   is the "outbox" table of the service's own schema (each publishing
//   service's migration creates it), relayed to JetStream by this process.
import type { Knex } from "knex";
import type { Bus, DeadLetters, OutboxOf } from "../../endpoints/bus.js";
import { config, int, oneOf, serverList, type Env } from "../../platform/config.js";
import type { Database } from "../../platform/db.js";
import type { Runtime } from "../../platform/runtime.js";
import { natsOutbox } from "./nats/outbox.js";
import { openNatsBus } from "./nats/nats-bus.js";
import { postgresOutbox } from "./outbox.js";
import { PostgresBus } from "./postgres-bus.js";

export interface OpenedBus {
  bus: Bus;
  /** What the service's store calls in each unit of work that publishes. */
  outboxOf: OutboxOf<Knex.Transaction>;
  /** The operators' view of the messages given up on. */
  deadLetters?: DeadLetters;
  /** For /readyz: true when the engine's storage answers, else why not. */
  ready(): Promise<true | string>;
  /** Stops every subscription (after their messages in hand), then frees the engine's connections. */
  close(): Promise<void>;
}

export interface OpenBusOptions {
  /** The process's name: its NATS connection's. */
  service: string;
  /** The service's own database (already opened): on NATS, its schema's "outbox" table is relayed when the service publishes. */
  db: Database;
  /** Whether the service publishes (its schema has the outbox table: a migration calling createOutboxTable) or only consumes. */
  publishes: boolean;
  /** Where BUS, NATS_URL and NATS_REPLICAS are read; default process.env. */
  env?: Env;
}

/** The engines BUS chooses from: PostgreSQL (one database, the default) or NATS JetStream (beyond one machine). */
export const BUS_ENGINES = ["postgres", "nats"] as const;
export type BusEngine = (typeof BUS_ENGINES)[number];
export const DEFAULT_NATS_URL = "nats://127.0.0.1:4222";

/** BUS, NATS_URL and NATS_REPLICAS, for platform/config.ts's config(). */
export function busSettings() {
  return {
    engine: oneOf("BUS", BUS_ENGINES, "postgres"),
    natsServers: serverList("NATS_URL", ["nats", "tls"], [DEFAULT_NATS_URL]),
    natsReplicas: int("NATS_REPLICAS", 1, { min: 1, max: 5 }),
  };
}

const BUS_MIGRATIONS = new URL("./migrations", import.meta.url);

export async function openBus(rt: Runtime, opts: OpenBusOptions): Promise<OpenedBus> {
  const settings = config(opts.env ?? process.env, busSettings());
  return settings.engine === "nats" ? openNats(rt, opts, settings) : openPostgres(rt);
}

async function openPostgres(rt: Runtime): Promise<OpenedBus> {
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

async function openNats(rt: Runtime, opts: OpenBusOptions, settings: { natsServers: string[]; natsReplicas: number }): Promise<OpenedBus> {
  const bus = await openNatsBus({
    servers: settings.natsServers,
    log: rt.log,
    name: opts.service,
    replicas: settings.natsReplicas,
    ...(opts.publishes ? { knex: opts.db.knex } : {}),
  });
  return {
    bus,
    outboxOf: opts.publishes
      ? (trx) => natsOutbox(trx)
      : () => {
          throw new Error(`${opts.service} publishes nothing (openBus publishes: false): it has no outbox`);
        },
    deadLetters: bus.deadLetters,
    // What is published waits in the service's own outbox while NATS is away, and consumers resume: the RPCs stay up.
    ready: async () => true,
    close: () => bus.close(),
  };
}
