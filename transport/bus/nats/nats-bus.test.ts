// The NATS engine's own faults, beyond the contract suite (../contract.test.ts):
// the server down under the relay, a server restart in the middle of a
// stream, close() finishing the message in hand, and a group's durables
// following its ack wait. Real nats-server, real PostgreSQL.
import { create } from "@bufbuild/protobuf";
import { Writable } from "node:stream";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema } from "../../../gen/itinera/echo/v1/echo_pb.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "../database.fixture.js";
import { startNatsServer, type NatsServer } from "../nats-server.testing.js";
import { connectNats, NatsBus, openNatsBus } from "./nats-bus.js";
import { createOutboxTable, natsOutbox } from "./outbox.js";
import { untilNatsBusSettled } from "./quiescence.testing.js";
import { DEFAULT_PARTITIONS, durableName, EVENTS_STREAM, partitionOf } from "./subjects.js";
import { jetstreamManager } from "@nats-io/jetstream";

let t: BusTestDatabase;
let server: NatsServer;
const buses: NatsBus[] = [];
const echo = (message: string) => create(EchoRequestSchema, { message });

/** A logger whose lines the test reads. */
function capturingLog() {
  const lines: { level: number; msg: string }[] = [];
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      for (const line of chunk.toString().split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { log: pino({ level: "info" }, sink), lines };
}

async function bus(opts: Partial<Parameters<typeof openNatsBus>[0]> = {}): Promise<NatsBus> {
  const b = await openNatsBus({ servers: [server.url], log: silentLog, knex: t.db.knex, outboxTable: "pub.outbox", relayPollMs: 200, ...opts });
  buses.push(b);
  return b;
}

async function publish(b: NatsBus, topic: string, key: string, message: string): Promise<void> {
  await t.db.knex.transaction((trx) => b.publish(natsOutbox(trx, "pub.outbox"), echoTopic(topic), key, echo(message)));
}

async function outboxRows(): Promise<number> {
  const r = await t.db.knex.raw(`select count(*)::int as n from pub.outbox`);
  return r.rows[0].n;
}

test.before(async () => {
  t = await openBusTestDatabase();
  await t.db.knex.raw(`create schema pub`);
  await createOutboxTable(t.db.knex, "pub.outbox");
  server = await startNatsServer();
});

// Each bus with an outbox holds a LISTEN connection of the test database's pool: closed after each test.
test.after.each(async () => {
  await Promise.all(buses.splice(0).map((b) => b.close()));
});

test.after(async () => {
  await server.stop();
  await t.close();
});

/** Kills the server and starts it again on the same port with the same store, as a supervisor would. */
async function restartServer(between: () => Promise<void> = async () => undefined): Promise<void> {
  await server.kill();
  await between();
  const { storeDir, port } = server;
  const restarted = await startNatsServer({ storeDir, port });
  const stop = restarted.stop;
  // the store was the first server's temp dir: removing it is still the test's last step
  server = { ...restarted, stop: async () => stop() };
}

test("while NATS is down the relay keeps the rows, says so once, and relays them in order once it is back", async () => {
  const { log, lines } = capturingLog();
  const b = await bus({ log });
  const got: string[] = [];
  await b.subscribe({ topic: echoTopic("down.relay"), group: "down", handler: async (_c, m) => void got.push(m.message) });
  await restartServer(async () => {
    for (const m of ["one", "two", "three"]) await publish(b, "down.relay", "k", m);
    await waitFor("the relay's outage warning", () => lines.some((l) => l.msg.startsWith("outbox relay: cannot relay")), 30_000);
    assert.is(await outboxRows(), 3, "the rows wait in the outbox");
  });
  await waitFor("the three messages", () => got.length >= 3, 30_000);
  assert.equal(got, ["one", "two", "three"]);
  await waitFor("an empty outbox", async () => (await outboxRows()) === 0);
  assert.is(lines.filter((l) => l.msg.startsWith("outbox relay: cannot relay")).length, 1, "one warning per outage");
  assert.is(lines.filter((l) => l.msg === "outbox relay: relaying again").length, 1);
});

test("a server killed and restarted mid-stream loses nothing, and each key keeps its order", async () => {
  const b = await bus();
  const seen = new Map<string, number[]>();
  await b.subscribe({
    topic: echoTopic("restart.stream"),
    group: "restart",
    concurrency: 4,
    handler: async (_c, m, meta) => void seen.set(meta.key, [...(seen.get(meta.key) ?? []), Number(m.message)]),
  });
  const keys = ["a", "b", "c", "d", "e"];
  const perKey = 40;
  const handled = () => [...seen.values()].reduce((n, v) => n + v.length, 0);
  for (let i = 0; i < perKey; i++) {
    await t.db.knex.transaction(async (trx) => {
      for (const k of keys) await b.publish(natsOutbox(trx, "pub.outbox"), echoTopic("restart.stream"), k, echo(String(i)));
    });
    if (i === perKey / 2) {
      await waitFor("the stream under way", () => handled() > 0);
      await restartServer();
    }
  }
  const expected = Array.from({ length: perKey }, (_, i) => i);
  // At least once: a message handled just before the kill may come again, but never out of order, and none is missing.
  const distinct = (k: string) => (seen.get(k) ?? []).filter((n, i, all) => all.indexOf(n) === i);
  await waitFor("every message", () => keys.every((k) => distinct(k).length === perKey), 60_000);
  for (const k of keys) {
    assert.equal(distinct(k), expected, `key ${k}`);
    const run = seen.get(k)!;
    assert.ok(run.every((n, i) => i === 0 || n >= run[i - 1]! || run.slice(0, i).includes(n)), `key ${k} went back: ${run}`);
  }
});

test("close() finishes the message in hand and acknowledges it: nothing is delivered twice", async () => {
  const first = await bus();
  const handled: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started = false;
  await first.subscribe({
    topic: echoTopic("close.hand"),
    group: "close",
    handler: async (_c, m) => {
      started = true;
      await released;
      handled.push(m.message);
    },
  });
  await publish(first, "close.hand", "k", "in hand");
  await waitFor("the handler to start", () => started);
  const closing = first.close();
  release();
  await closing;
  const second = await bus();
  await second.subscribe({ topic: echoTopic("close.hand"), group: "close", handler: async (_c, m) => void handled.push(m.message) });
  await publish(second, "close.hand", "k", "next");
  // Same key: had the first not been acknowledged, it would come again before this one.
  await waitFor("the next message", () => handled.includes("next"));
  assert.equal(handled, ["in hand", "next"]);
});

test("a group's durable consumers follow the ack wait of the bus that subscribes", async () => {
  const topic = echoTopic("ackwait.change");
  const a = await bus({ ackWaitMs: 2000 });
  await (await a.subscribe({ topic, group: "ackwait", handler: async () => undefined })).stop();
  const b = await bus({ ackWaitMs: 7000 });
  await b.subscribe({ topic, group: "ackwait", handler: async () => undefined });
  const nc = await connectNats([server.url]);
  try {
    const jsm = await jetstreamManager(nc);
    const info = await jsm.consumers.info(EVENTS_STREAM, durableName("ackwait", "ackwait.change", 0));
    assert.is(info.config.ack_wait, 7000 * 1_000_000);
    assert.is(info.config.max_ack_pending, 1);
  } finally {
    await nc.close();
  }
});

test("a message whose consumer keeps dying becomes a dead letter after maxAttempts deliveries, without running its handler again", async () => {
  const topic = echoTopic("crash.loop");
  const group = "crashloop";
  const publisher = await bus();
  const nc = await connectNats([server.url]);
  const dying = await NatsBus.open(nc, { servers: [server.url], log: silentLog, ackWaitMs: 500 });
  buses.push(dying);
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let started = false;
  await dying.subscribe({
    topic,
    group,
    maxAttempts: 1,
    handler: async () => {
      started = true;
      await released; // dies here
    },
  });
  await publish(publisher, "crash.loop", "k", "fatal");
  await waitFor("the first delivery", () => started);
  await nc.close();
  release();
  const handled: string[] = [];
  const healthy = await bus({ ackWaitMs: 500 }); // the group's durables take the ack wait of the last to subscribe
  await healthy.subscribe({ topic, group, maxAttempts: 1, handler: async (_c, m) => void handled.push(m.message) });
  await waitFor("the dead letter", async () => (await healthy.deadLetters.list({ group })).length === 1);
  const [letter] = await healthy.deadLetters.list({ group });
  assert.is(letter!.attempts, 2);
  assert.match(letter!.lastError, /^1 earlier delivery was never acknowledged nor failed/);
  assert.equal(handled, []);
});

test("untilNatsBusSettled waits for the outbox to be relayed and the group's retries to be done", async () => {
  const b = await bus();
  const handled: string[] = [];
  await b.subscribe({
    topic: echoTopic("settle.wait"),
    group: "settle",
    backoff: () => 300,
    handler: async (_c, m, meta) => {
      if (meta.attempt === 1 && Number(m.message) >= 23) throw new Error("once more"); // the last message of each key: only its retry is left
      handled.push(m.message);
    },
  });
  await t.db.knex.transaction(async (trx) => {
    for (let i = 0; i < 30; i++) await b.publish(natsOutbox(trx, "pub.outbox"), echoTopic("settle.wait"), `k${i % 7}`, echo(String(i)));
  });
  await untilNatsBusSettled({ servers: [server.url], groups: ["settle"], outboxes: [{ databaseUrl: t.test.url, tables: ["pub.outbox"] }] });
  assert.is(handled.length, 30);
});

test("a replay waits for the message of its key in hand, runs after it, never beside it; other groups skip it", async () => {
  const topic = echoTopic("replay.turn");
  const b = await bus();
  const events: string[] = [];
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let failedId: bigint | undefined;
  await b.subscribe({
    topic,
    group: "turn",
    maxAttempts: 1,
    concurrency: 4,
    handler: async (_c, m, meta) => {
      if (m.message === "a" && meta.attempt === 1 && failedId === undefined) {
        failedId = meta.messageId;
        throw new Error("a failed");
      }
      events.push(`${m.message} start`);
      if (m.message === "b") await released;
      events.push(`${m.message} end`);
    },
  });
  const others: string[] = [];
  await b.subscribe({ topic, group: "turn-other", handler: async (_c, m) => void others.push(m.message) });
  await publish(b, "replay.turn", "k", "a");
  await waitFor("a's dead letter", async () => (await b.deadLetters.list({ group: "turn" })).length === 1);
  await publish(b, "replay.turn", "k", "b");
  await waitFor("b in hand", () => events.includes("b start"));
  assert.ok(await b.deadLetters.replay("turn", failedId!));
  // the replay is in the stream, behind b: it starts only once b is acknowledged
  await waitFor("the replay stored", async () => (await b.deadLetters.list({ group: "turn" })).length === 0);
  release();
  await waitFor("the replayed a", () => events.includes("a end"));
  assert.equal(events, ["b start", "b end", "a start", "a end"]);
  await publish(b, "replay.turn", "k", "c");
  await waitFor("the other group's c", () => others.includes("c"));
  assert.equal(others, ["a", "b", "c"], "the other group skipped the replay");
});

test("a group name with subject wildcards reaches no other group's dead letters", async () => {
  const b = await bus();
  let id: bigint | undefined;
  await b.subscribe({
    topic: echoTopic("victim.dead"),
    group: "victim",
    maxAttempts: 1,
    handler: async (_c, _m, meta) => {
      id = meta.messageId;
      throw new Error("dead");
    },
  });
  await publish(b, "victim.dead", "k", "x");
  await waitFor("the dead letter", async () => (await b.deadLetters.list({ group: "victim" })).length === 1);
  for (const group of ["*", ">", "victim.*", "vic tim"]) {
    assert.not.ok(await b.deadLetters.discard(group, id!).catch(() => false), group);
    assert.not.ok(await b.deadLetters.replay(group, id!).catch(() => false), group);
    assert.equal(await b.deadLetters.list({ group }).catch(() => []), [], group);
  }
  assert.is((await b.deadLetters.list({ group: "victim" })).length, 1);
});

test("a message waiting for a free slot past the ack wait says it is in hand: the other replica never gets it too", async () => {
  // Two replicas of a group, one slot each, a key in every partition: each replica holds about four messages,
  // handles them one after the other (700 ms each) and so keeps its last one waiting ~2.1 s, past the ack wait
  // of 1 s (the server looks for expired messages once per ack wait). The other replica pulls from the same
  // partitions: a message not said to be in hand would be delivered to it as well.
  const keys: string[] = [];
  for (let i = 0; keys.length < DEFAULT_PARTITIONS; i++) {
    const key = `slot-${i}`;
    if (!keys.some((k) => partitionOf(k, DEFAULT_PARTITIONS) === partitionOf(key, DEFAULT_PARTITIONS))) keys.push(key);
  }
  const handled: { key: string; attempt: number }[] = [];
  const subscribe = async () =>
    (await bus({ ackWaitMs: 1000 })).subscribe({
      topic: echoTopic("slot.wait"),
      group: "slot",
      concurrency: 1,
      handler: async (_c, _m, meta) => {
        handled.push({ key: meta.key, attempt: meta.attempt });
        await new Promise((r) => setTimeout(r, 700)); // a slow handler, inside the ack wait
      },
    });
  await subscribe();
  await subscribe();
  await t.db.knex.transaction(async (trx) => {
    for (const k of keys) await buses[0]!.publish(natsOutbox(trx, "pub.outbox"), echoTopic("slot.wait"), k, echo(k));
  });
  await untilNatsBusSettled({ servers: [server.url], groups: ["slot"], outboxes: [{ databaseUrl: t.test.url, tables: ["pub.outbox"] }] });
  assert.equal(
    [...handled].sort((x, y) => x.key.localeCompare(y.key)),
    [...keys].sort().map((key) => ({ key, attempt: 1 })),
  );
});

test("openNatsBus explains a missing outbox table", async () => {
  const error = await openNatsBus({ servers: [server.url], log: silentLog, knex: t.db.knex, outboxTable: "pub.nothing" }).then(
    (b) => b.close().then(() => undefined),
    (e: unknown) => e,
  );
  assert.instance(error, Error);
  assert.match((error as Error).message, /outbox table pub.nothing not found: create it .* createOutboxTable/);
});

test.run();
