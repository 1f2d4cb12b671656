import { create } from "@bufbuild/protobuf";
import { setTimeout as sleep } from "node:timers/promises";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema, type EchoRequest } from "../../gen/itinera/echo/v1/echo_pb.js";
import type { DeliveryMeta, Subscription } from "../../endpoints/bus.js";
import { PostgresBus } from "./postgres-bus.js";
import { postgresOutbox } from "./outbox.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "./database.fixture.js";
import { nextIdle } from "./quiescence.testing.js";

let t: BusTestDatabase;
const buses: PostgresBus[] = [];
const echo = (message: string) => create(EchoRequestSchema, { message });

function newBus(pollMs = 200): PostgresBus {
  const bus = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs });
  buses.push(bus);
  return bus;
}

test.before(async () => {
  t = await openBusTestDatabase();
});

test.after(async () => {
  await Promise.all(buses.map((b) => b.close()));
  await t.close();
});

test("LISTEN/NOTIFY wakes an idle consumer long before its poll", async () => {
  const bus = newBus(120_000);
  const got: string[] = [];
  const idle = nextIdle(t.db.knex, "g", "t.listen");
  await bus.subscribe({ topic: echoTopic("t.listen"), group: "g", handler: async (_c, m) => void got.push(m.message) });
  await idle; // it looked for work, found none, and sleeps until a notification or its poll in 120 s
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.listen"), "k", echo("wake up"));
  // Well before the poll: only the notification can have woken it.
  await waitFor("the message, woken by its notification", () => got.length === 1, 30_000);
  assert.equal(got, ["wake up"]);
});

test("two consumers of one group keep order per key and handle different keys in parallel", async () => {
  const [a, b] = [newBus(), newBus()];
  const seen = new Map<string, number[]>();
  const inFlight = new Set<string>();
  const overlaps: string[] = [];
  let keyBStarted = false;
  const handler = async (_ctx: unknown, m: EchoRequest, meta: DeliveryMeta) => {
    if (inFlight.has(meta.key)) overlaps.push(meta.key);
    inFlight.add(meta.key);
    if (meta.key === "b") keyBStarted = true;
    // key a's first message waits for key b to start: it would never start if keys were serialized
    if (m.message === "a-0") await waitFor("key b to start while key a is in flight", () => keyBStarted, 5000);
    await sleep(Math.random() * 10);
    seen.set(meta.key, [...(seen.get(meta.key) ?? []), Number(m.message.split("-")[1])]);
    inFlight.delete(meta.key);
  };
  const subs: Subscription[] = [
    await a.subscribe({ topic: echoTopic("t.order"), group: "g", handler, maxAttempts: 1 }),
    await b.subscribe({ topic: echoTopic("t.order"), group: "g", handler, maxAttempts: 1 }),
  ];
  const keys = ["a", "b", "c"];
  for (let i = 0; i < 10; i++) {
    await t.db.knex.transaction(async (trx) => {
      for (const k of keys) await a.publish(postgresOutbox(trx), echoTopic("t.order"), k, echo(`${k}-${i}`));
    });
  }
  await waitFor("all 30 messages", () => keys.every((k) => (seen.get(k)?.length ?? 0) === 10));
  for (const k of keys) assert.equal(seen.get(k), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9], `order of key ${k}`);
  assert.equal(overlaps, []);
  const dead = await t.db.knex.raw(`select count(*)::int as n from bus.dead_letters where topic = 't.order'`);
  assert.is(dead.rows[0].n, 0);
  await Promise.all(subs.map((s) => s.stop()));
});

test("every group gets every message", async () => {
  const bus = newBus();
  const got = { billing: [] as string[], mailer: [] as string[] };
  for (const group of ["billing", "mailer"] as const) {
    await bus.subscribe({ topic: echoTopic("t.groups"), group, handler: async (_c, m) => void got[group].push(m.message) });
  }
  for (const m of ["one", "two", "three"]) await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.groups"), m, echo(m));
  await waitFor("both groups", () => got.billing.length === 3 && got.mailer.length === 3);
  assert.equal([...got.billing].sort(), ["one", "three", "two"]);
  assert.equal([...got.mailer].sort(), ["one", "three", "two"]);
});

test("a group that subscribes after messages were published still gets them", async () => {
  const bus = newBus();
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.late"), "k", echo("early"));
  const got: string[] = [];
  await bus.subscribe({ topic: echoTopic("t.late"), group: "late", handler: async (_c, m) => void got.push(m.message) });
  await waitFor("the early message", () => got.length === 1);
  assert.equal(got, ["early"]);
});

test("a failing message is retried with backoff, then dead-lettered with its error; other keys flow and its key goes on", async () => {
  const bus = newBus();
  const attempts: number[] = [];
  const done: string[] = [];
  const events: string[] = [];
  await bus.subscribe({
    topic: echoTopic("t.poison"),
    group: "g",
    maxAttempts: 3,
    backoff: (n) => 500 * n,
    handler: async (_c, m, meta) => {
      if (m.message === "poison") {
        attempts.push(meta.attempt);
        events.push(`poison#${meta.attempt}`);
        throw new Error("cannot digest this");
      }
      done.push(m.message);
      events.push(m.message);
    },
  });
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.poison"), "bad", echo("poison"));
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.poison"), "good", echo("fine"));
  await bus.publish(postgresOutbox(t.db.knex), echoTopic("t.poison"), "bad", echo("after poison"));
  await waitFor("the other key's message", () => done.includes("fine"));
  await waitFor("the poisoned key's next message", () => done.includes("after poison"));
  assert.equal(attempts, [1, 2, 3]);
  // the key's next message waited until the poison was dead-lettered
  assert.ok(events.indexOf("after poison") > events.indexOf("poison#3"), events.join(", "));
  // the other key did not wait for the poison's retries
  assert.ok(events.indexOf("fine") < events.indexOf("poison#3"), events.join(", "));
  const dead = await t.db.knex.raw(`select group_name, key, attempts, last_error from bus.dead_letters where topic = 't.poison'`);
  assert.equal(dead.rows, [{ group_name: "g", key: "bad", attempts: 3, last_error: "Error: cannot digest this" }]);
  await waitFor("nothing left pending", async () => {
    const pending = await t.db.knex.raw(`select count(*)::int as n from bus.deliveries where topic = 't.poison'`);
    return pending.rows[0].n === 0;
  });
});

test.run();
