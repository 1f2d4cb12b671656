// THE bus contract: one list of cases, run against both engines — PostgreSQL
// (PostgresBus on the "bus" schema) and NATS JetStream (NatsBus on a real
// nats-server, publishing through a real outbox table in PostgreSQL). What a
// service may rely on whichever engine carries its events.
//
// Engines differ only in how a test provokes a fault (the Engine interface):
// how a consumer dies mid-message, and how one message reaches a group twice.
import { create } from "@bufbuild/protobuf";
import knexFactory, { type Knex } from "knex";
import { suite } from "uvu";
import * as assert from "uvu/assert";
import type { Bus, DeadLetters, DeliveryMeta, Outbox, Subscription } from "../../endpoints/bus.js";
import { EchoRequestSchema, type EchoRequest } from "../../gen/itinera/echo/v1/echo_pb.js";
import { pgTypes } from "../../platform/db.js";
import { createInboxTable, inTransactionOnce } from "../../platform/inbox.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "./database.fixture.js";
import { startNatsServer, type NatsServer } from "./nats-server.testing.js";
import { connectNats, NatsBus } from "./nats/nats-bus.js";
import { createOutboxTable, natsOutbox } from "./nats/outbox.js";
import { postgresOutbox } from "./outbox.js";
import { PostgresBus } from "./postgres-bus.js";

/** A message published, as a test can refer to it again. */
interface Published {
  id: bigint;
  /** What the engine needs to make it reach a group a second time. */
  copy: Record<string, unknown>;
}

interface Engine {
  name: string;
  /** The bus of one more process. */
  bus(): Promise<Bus>;
  /** The bus of a process that will die mid-message: its claims go with it, nothing acknowledged. */
  crashableBus(): Promise<{ bus: Bus; crash(): Promise<void> }>;
  outbox(db: Knex | Knex.Transaction): Outbox;
  /** Publishes in a transaction of the publisher's database. */
  publish(bus: Bus, topic: string, key: string, message: string): Promise<Published>;
  /**
   * The same message reaches `group` again, as after a crash at the worst
   * moment: on NATS its outbox row is relayed again (the relay died after
   * the server stored it, before deleting the row); on PostgreSQL its
   * delivery is queued again (the consumer died after its effect, before its ack).
   */
  again(p: Published, group: string, topic: string, key: string): Promise<void>;
  /** Handler runs the `again` case ends with: the server drops a relayed duplicate (1); PostgreSQL hands it over (2) for the inbox to ignore. */
  handlingsOfARepeat: number;
  deadLetters?(bus: Bus): DeadLetters;
  close(): Promise<void>;
}

let t: BusTestDatabase;
let nats: NatsServer;
const echo = (message: string) => create(EchoRequestSchema, { message });

async function postgresEngine(): Promise<Engine> {
  const buses: PostgresBus[] = [];
  const knexes: Knex[] = [];
  const newBus = (knex: Knex) => {
    const bus = new PostgresBus({ knex, log: silentLog, pollMs: 200 });
    buses.push(bus);
    return bus;
  };
  return {
    name: "postgres",
    bus: async () => newBus(t.db.knex),
    crashableBus: async () => {
      const application = `crashable-${knexes.length}`;
      const knex = knexFactory({ client: "pg", connection: { connectionString: t.test.url, types: pgTypes, application_name: application }, pool: { min: 0, max: 4 } });
      knexes.push(knex);
      return {
        bus: newBus(knex),
        crash: async () => {
          await t.db.knex.raw(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ?`, [application]);
        },
      };
    },
    outbox: postgresOutbox,
    publish: async (bus, topic, key, message) => {
      const id = await t.db.knex.transaction((trx) => bus.publish(postgresOutbox(trx), echoTopic(topic), key, echo(message)));
      return { id, copy: {} };
    },
    again: async (p, group, topic, key) => {
      await waitFor("the first delivery's acknowledgement", async () => {
        const r = await t.db.knex.raw(`select 1 from bus.deliveries where group_name = ? and message_id = ?`, [group, p.id]);
        return r.rows.length === 0;
      });
      await t.db.knex.raw(`insert into bus.deliveries (group_name, message_id, topic, key) values (?, ?, ?, ?)`, [group, p.id, topic, key]);
    },
    handlingsOfARepeat: 2,
    close: async () => {
      await Promise.all(buses.map((b) => b.close()));
      await Promise.all(knexes.map((k) => k.destroy()));
    },
  };
}

async function natsEngine(): Promise<Engine> {
  const buses: NatsBus[] = [];
  // The publisher's own schema: its outbox, relayed by every bus opened with its knex (one relay at a time).
  const options = { log: silentLog, knex: t.db.knex, outboxTable: "shop.outbox", ackWaitMs: 1500, relayPollMs: 200 };
  const open = async (withOutbox: boolean) => {
    const nc = await connectNats([nats.url]);
    const bus = await NatsBus.open(nc, withOutbox ? { servers: [nats.url], ...options } : { servers: [nats.url], log: silentLog, ackWaitMs: 1500 });
    buses.push(bus);
    return { bus, nc };
  };
  return {
    name: "nats",
    bus: async () => (await open(true)).bus,
    crashableBus: async () => {
      const { bus, nc } = await open(false);
      // closed, not drained: what the server sees of a process killed mid-message
      return { bus, crash: () => nc.close() };
    },
    outbox: (db) => natsOutbox(db, "shop.outbox"),
    publish: async (bus, topic, key, message) =>
      t.db.knex.transaction(async (trx) => {
        const id = await bus.publish(natsOutbox(trx, "shop.outbox"), echoTopic(topic), key, echo(message));
        const row = await trx.raw(`select * from shop.outbox where id = ?`, [id]);
        return { id, copy: row.rows[0] as Record<string, unknown> };
      }),
    again: async (p) => {
      // the relay's crash between the server's ack and its delete: the same row, sent again
      await t.db.knex("shop.outbox").insert(p.copy);
      await t.db.knex.raw(`select pg_notify('outbox_' || 'shop.outbox'::regclass::oid::text, '')`);
    },
    handlingsOfARepeat: 1,
    deadLetters: (bus) => (bus as NatsBus).deadLetters,
    close: async () => {
      await Promise.all(buses.map((b) => b.close()));
    },
  };
}

/** A case of the contract; `needs: "deadLetters"` runs it on the engines that have them. */
interface Case {
  name: string;
  needs?: "deadLetters";
  run(e: Engine, ns: string): Promise<void>;
}

const cases: Case[] = [
  {
    name: "a message published in a rolled-back transaction is never delivered",
    run: async (e, ns) => {
      const bus = await e.bus();
      const got: string[] = [];
      await bus.subscribe({ topic: echoTopic(`${ns}.rollback`), group: `${ns}-rollback`, handler: async (_c, m) => void got.push(m.message) });
      await t.db.knex
        .transaction(async (trx) => {
          await bus.publish(e.outbox(trx), echoTopic(`${ns}.rollback`), "k", echo("rolled back"));
          throw new Error("abort");
        })
        .catch(() => undefined);
      await e.publish(bus, `${ns}.rollback`, "k", "committed");
      // Same key, so in publish order: had the rolled-back one been delivered, it would have come first.
      await waitFor("the committed message", () => got.includes("committed"));
      assert.equal(got, ["committed"]);
    },
  },
  {
    name: "publish refuses a topic or a key that cannot travel; a 200-character key travels",
    run: async (e, ns) => {
      const bus = await e.bus();
      const got: string[] = [];
      await bus.subscribe({ topic: echoTopic(`${ns}.refuse`), group: `${ns}-refuse`, handler: async (_c, m) => void got.push(m.message) });
      const refused = async (topic: string, key: string) =>
        t.db.knex.transaction((trx) => bus.publish(e.outbox(trx), echoTopic(topic), key, echo("bad"))).then(
          () => undefined,
          (err: unknown) => (err as Error).message,
        );
      assert.match((await refused("Bad Topic!", "k")) ?? "published", /invalid topic/);
      assert.match((await refused(`${ns}.refuse`, "line\nbreak")) ?? "published", /invalid bus key/);
      assert.match((await refused(`${ns}.refuse`, "k".repeat(201))) ?? "published", /invalid bus key/);
      await e.publish(bus, `${ns}.refuse`, "k".repeat(200), "fine");
      await waitFor("the good message", () => got.includes("fine"));
      assert.equal(got, ["fine"]);
    },
  },
  {
    name: "a consumer that dies mid-message: another member of its group gets the message again, same messageId",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.crash`);
      const group = `${ns}-crash`;
      const crashable = await e.crashableBus();
      const first: DeliveryMeta[] = [];
      let release!: () => void;
      const released = new Promise<void>((r) => (release = r));
      await crashable.bus.subscribe({
        topic,
        group,
        handler: async (_c, _m, meta) => {
          first.push(meta);
          await released; // dies here, before acknowledging
        },
      });
      const published = await e.publish(crashable.bus, topic.name, "alice", "+1");
      await waitFor("the first consumer's delivery", () => first.length === 1);
      await crashable.crash();
      const again: DeliveryMeta[] = [];
      const healthy = await e.bus();
      await healthy.subscribe({ topic, group, handler: async (_c, _m, meta) => void again.push(meta) });
      await waitFor("the redelivery", () => again.length === 1);
      release();
      assert.is(again[0]!.messageId, first[0]!.messageId);
      assert.is(again[0]!.key, "alice");
      void published;
    },
  },
  {
    name: "one message reaching a group twice changes nothing (dedup)",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.dedup`);
      const group = `${ns}-dedup`;
      const bus = await e.bus();
      const handled: string[] = [];
      await bus.subscribe({
        topic,
        group,
        handler: async (_c, m, meta) => {
          handled.push(m.message);
          await inTransactionOnce(t.db.knex, "shop.inbox", meta, async (trx) => {
            await trx.raw(`insert into shop.credits (customer, amount) values (?, 1) on conflict (customer) do update set amount = shop.credits.amount + 1`, [`${ns}:${m.message}`]);
          });
        },
      });
      const once = await e.publish(bus, topic.name, "bob", "once");
      await waitFor("the message", () => handled.includes("once"));
      await e.again(once, group, topic.name, "bob");
      await e.publish(bus, topic.name, "bob", "later");
      // Same key: the repeat, if it reaches the handler, comes before the later message.
      await waitFor("the later message", () => handled.includes("later"));
      assert.is(handled.filter((m) => m === "once").length, e.handlingsOfARepeat);
      const credits = await t.db.knex.raw(`select amount from shop.credits where customer = ?`, [`${ns}:once`]);
      assert.equal(credits.rows, [{ amount: 1 }]);
    },
  },
  {
    name: "order per key under concurrency, two members of a group, with a failing-then-succeeding message in the middle",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.order`);
      const [a, b] = [await e.bus(), await e.bus()];
      const seen = new Map<string, number[]>();
      const inFlight = new Set<string>();
      const overlaps: string[] = [];
      const attemptsOfB3: number[] = [];
      const handler = async (_c: unknown, m: EchoRequest, meta: DeliveryMeta) => {
        if (inFlight.has(meta.key)) overlaps.push(meta.key);
        inFlight.add(meta.key);
        try {
          await new Promise((r) => setImmediate(r));
          if (m.message === "b-3") {
            attemptsOfB3.push(meta.attempt);
            if (meta.attempt === 1) throw new Error("not yet");
          }
          seen.set(meta.key, [...(seen.get(meta.key) ?? []), Number(m.message.split("-")[1])]);
        } finally {
          inFlight.delete(meta.key);
        }
      };
      const opts = { topic, group: `${ns}-order`, handler, maxAttempts: 3, backoff: () => 200, concurrency: 4 };
      await a.subscribe(opts);
      await b.subscribe(opts);
      const keys = ["a", "b", "c", "d"];
      await t.db.knex.transaction(async (trx) => {
        for (let i = 0; i < 10; i++) for (const k of keys) await a.publish(e.outbox(trx), topic, k, echo(`${k}-${i}`));
      });
      await waitFor("all 40 messages", () => keys.every((k) => (seen.get(k)?.length ?? 0) === 10), 30_000);
      for (const k of keys) assert.equal(seen.get(k), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `order of key ${k}`);
      assert.equal(overlaps, []);
      assert.equal(attemptsOfB3, [1, 2]);
    },
  },
  {
    name: "after maxAttempts a message is a dead letter with its error; its key goes on",
    needs: "deadLetters",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.dead`);
      const group = `${ns}-dead`;
      const bus = await e.bus();
      const attempts: number[] = [];
      const done: string[] = [];
      let poisonId: bigint | undefined;
      await bus.subscribe({
        topic,
        group,
        maxAttempts: 3,
        backoff: () => 50,
        handler: async (_c, m, meta) => {
          if (m.message === "poison") {
            poisonId = meta.messageId;
            attempts.push(meta.attempt);
            throw new Error("cannot digest this");
          }
          done.push(m.message);
        },
      });
      await e.publish(bus, topic.name, "bad", "poison");
      await e.publish(bus, topic.name, "bad", "after poison");
      await waitFor("the key's next message", () => done.includes("after poison"));
      assert.equal(attempts, [1, 2, 3]);
      const letters = await e.deadLetters!(bus).list({ group });
      assert.is(letters.length, 1);
      const [letter] = letters;
      assert.equal(
        { group: letter!.group, topic: letter!.topic, key: letter!.key, messageId: letter!.messageId, type: letter!.type, attempts: letter!.attempts, lastError: letter!.lastError },
        { group, topic: topic.name, key: "bad", messageId: poisonId, type: EchoRequestSchema.typeName, attempts: 3, lastError: "Error: cannot digest this" },
      );
      assert.ok(letter!.failedAt >= letter!.publishedAt);
      assert.equal(await e.deadLetters!(bus).list({ topic: "no.such.topic" }), []);
    },
  },
  {
    name: "a replayed dead letter is delivered again to its group only, same messageId, fresh attempts; then it is gone",
    needs: "deadLetters",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.replay`);
      const group = `${ns}-replay`;
      const bus = await e.bus();
      let healed = false;
      const failing: DeliveryMeta[] = [];
      const replayed: DeliveryMeta[] = [];
      const other: string[] = [];
      await bus.subscribe({
        topic,
        group,
        maxAttempts: 2,
        backoff: () => 50,
        handler: async (_c, _m, meta) => {
          if (!healed) {
            failing.push(meta);
            throw new Error("down for now");
          }
          replayed.push(meta);
        },
      });
      await bus.subscribe({ topic, group: `${ns}-replay-other`, handler: async (_c, m) => void other.push(m.message) });
      await e.publish(bus, topic.name, "k", "first");
      const dead = e.deadLetters!(bus);
      await waitFor("the dead letter", async () => (await dead.list({ group })).length === 1);
      await waitFor("the other group's delivery", () => other.length === 1);
      healed = true;
      const messageId = failing[0]!.messageId;
      assert.ok(await dead.replay(group, messageId));
      await waitFor("the replay", () => replayed.length === 1);
      assert.is(replayed[0]!.messageId, messageId);
      assert.is(replayed[0]!.attempt, 1);
      assert.equal(await dead.list({ group }), []);
      assert.not.ok(await dead.replay(group, messageId), "a replayed dead letter is gone");
      // Same key: had the replay reached the other group, it would have come before this.
      await e.publish(bus, topic.name, "k", "second");
      await waitFor("the other group's second message", () => other.includes("second"));
      assert.equal(other, ["first", "second"]);
    },
  },
  {
    name: "a discarded dead letter is gone; unknown ones are false",
    needs: "deadLetters",
    run: async (e, ns) => {
      const topic = echoTopic(`${ns}.discard`);
      const group = `${ns}-discard`;
      const bus = await e.bus();
      let messageId: bigint | undefined;
      await bus.subscribe({
        topic,
        group,
        maxAttempts: 1,
        handler: async (_c, _m, meta) => {
          messageId = meta.messageId;
          throw new Error("never");
        },
      });
      await e.publish(bus, topic.name, "k", "doomed");
      const dead = e.deadLetters!(bus);
      await waitFor("the dead letter", async () => (await dead.list({ group })).length === 1);
      assert.ok(await dead.discard(group, messageId!));
      assert.equal(await dead.list({ group }), []);
      assert.not.ok(await dead.discard(group, messageId!));
      assert.not.ok(await dead.replay(group, messageId!));
      assert.not.ok(await dead.discard("no-such-group", messageId!));
    },
  },
];

// PostgreSQL's DeadLetters come from another part of issue 11; until PostgresBus has them, their cases run on NATS only.
const engines: { name: string; start: () => Promise<Engine>; has: Case["needs"][] }[] = [
  { name: "postgres", start: postgresEngine, has: [] },
  { name: "nats", start: natsEngine, has: ["deadLetters"] },
];

for (const { name, start, has } of engines) {
  const s = suite(`bus contract on ${name}`);
  let engine: Engine;
  s.before(async () => {
    t = await openBusTestDatabase();
    await t.db.knex.raw(`create schema shop; create table shop.credits (customer text primary key, amount int not null)`);
    await createInboxTable(t.db.knex, "shop.inbox");
    await createOutboxTable(t.db.knex, "shop.outbox");
    if (name === "nats") nats = await startNatsServer();
    engine = await start();
  });
  s.after(async () => {
    await engine?.close();
    await nats?.stop();
    await t.close();
  });
  for (const c of cases) {
    if (c.needs && !has.includes(c.needs)) continue;
    s(`[${name}] ${c.name}`, () => c.run(engine, `c${cases.indexOf(c)}`));
  }
  s.run();
}
