// The event bus on NATS JetStream: the engine for more than one machine
// (BUS=nats). A service publishes into the outbox table of its OWN schema
// inside its own transaction (./outbox.ts); its relay (./relay.ts) moves the
// rows to the stream ITINERA_EVENTS (./streams.ts) with the outbox's event id
// as the JetStream message id, so a row relayed twice is stored once.
// Consumers are durable pull consumers with explicit ack, one per (group,
// topic, partition), which is how messages of one key keep their order
// (./consumer.ts). Dead letters live in their own stream (./dead-letters.ts).
// DeliveryMeta.messageId is the message's sequence in ITINERA_EVENTS: unique
// across topics, and the same on every redelivery and replay. Bus.publish
// resolves to the outbox row's id (the stream sequence is only known once
// the relay has sent it).
//
// Wiring (main.ts):
//   const bus = await openNatsBus({ servers: config.natsUrl.split(","), log, knex: db.knex, replicas: 3 });
//   … bus.publish(natsOutbox(trx), …) in the store; bus.subscribe({…}); bus.deadLetters for operators
//   await bus.close()
// The NATS client reconnects forever after a lost connection; pulls resume.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { jetstream, jetstreamManager, type JetStreamClient, type JetStreamManager } from "@nats-io/jetstream";
import type { Knex } from "knex";
import type { Logger } from "pino";
import type { Bus, Outbox, SubscribeOptions, Subscription, Topic } from "../../../endpoints/bus.js";
import type { Context } from "../../../endpoints/context.js";
import { outboxMessage } from "../outbox-message.js";
import { startNatsConsumer } from "./consumer.js";
import { NatsDeadLetters } from "./dead-letters.js";
import { startRelay, type Relay } from "./relay.js";
import { ensureStreams } from "./streams.js";
import { DEFAULT_PARTITIONS } from "./subjects.js";
import { Subscriptions } from "../subscriptions.js";

export interface NatsBusOptions {
  /** nats://host:port of one or more servers of the cluster. */
  servers: string[];
  log: Logger;
  /** The publishing service's own database, whose schema holds its outbox table; omit for a consumer-only service. */
  knex?: Knex;
  /** The outbox table; default "outbox" (the search path's first schema). */
  outboxTable?: string;
  /** Stream replicas: 1 on one server (default), 3 on a cluster. */
  replicas?: number;
  /** Partitions per topic (parallelism between keys); default 8. Every process of a deployment must agree. */
  partitions?: number;
  /** How long a handler may hold a message before the server delivers it again; default 30 000 ms. Longer than a handler's deadline. */
  ackWaitMs?: number;
  /** The relay's poll when it misses a notification; default 1000 ms. */
  relayPollMs?: number;
  /** The client's name in the server's connection list. */
  name?: string;
}

export class NatsBus implements Bus {
  readonly system = "nats";
  readonly deadLetters: NatsDeadLetters;
  private readonly subscriptions = new Subscriptions();
  private readonly js: JetStreamClient;
  private readonly partitions: number;
  private relay: Relay | undefined;
  private closing: Promise<void> | undefined;

  private constructor(
    private readonly nc: NatsConnection,
    private readonly jsm: JetStreamManager,
    private readonly opts: NatsBusOptions,
  ) {
    this.js = jetstream(nc);
    this.partitions = opts.partitions ?? DEFAULT_PARTITIONS;
    this.deadLetters = new NatsDeadLetters(this.js, jsm, this.partitions);
  }

  /** The bus over a connection this process opened: creates the streams, starts the relay when there is an outbox. */
  static async open(nc: NatsConnection, opts: NatsBusOptions): Promise<NatsBus> {
    const partitions = opts.partitions ?? DEFAULT_PARTITIONS;
    if (!Number.isInteger(partitions) || partitions < 1) throw new Error(`partitions must be a positive integer, got ${partitions}`);
    const jsm = await jetstreamManager(nc);
    await ensureStreams(jsm, opts.replicas ?? 1);
    const bus = new NatsBus(nc, jsm, opts);
    if (opts.knex) {
      bus.relay = await startRelay({
        knex: opts.knex,
        table: opts.outboxTable ?? "outbox",
        js: bus.js,
        log: opts.log,
        partitions,
        pollMs: opts.relayPollMs,
      });
    }
    return bus;
  }

  async publish<Desc extends DescMessage>(outbox: Outbox, topic: Topic<Desc>, key: string, message: MessageShape<Desc>, ctx?: Context): Promise<bigint> {
    return outbox.add(outboxMessage(topic, key, message, ctx));
  }

  async subscribe<Desc extends DescMessage>(opts: SubscribeOptions<Desc>): Promise<Subscription> {
    const consumer = await startNatsConsumer(
      { js: this.js, jsm: this.jsm, log: this.opts.log, partitions: this.partitions, ackWaitMs: this.opts.ackWaitMs ?? 30_000, deadLetters: this.deadLetters },
      opts,
    );
    return this.subscriptions.track(consumer);
  }

  /** Stops pulling, finishes the messages in hand, stops the relay after its pass, drains the connection. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      await this.subscriptions.stopAll();
      await this.relay?.stop();
      // Drain flushes the acks in flight; a connection that cannot drain (server away) is closed.
      if (!this.nc.isClosed()) await this.nc.drain().catch(() => this.nc.close());
    })();
    return this.closing;
  }
}

/** Connects to NATS (reconnecting forever after a lost connection) and opens the bus. */
export async function openNatsBus(opts: NatsBusOptions): Promise<NatsBus> {
  const nc = await connectNats(opts.servers, opts.name);
  try {
    return await NatsBus.open(nc, opts);
  } catch (e) {
    await nc.close();
    throw e;
  }
}

export function connectNats(servers: string[], name?: string): Promise<NatsConnection> {
  return connect({ servers, name, maxReconnectAttempts: -1, reconnectTimeWait: 250 });
}
