// The PostgreSQL engine's dead letters on a real PostgreSQL, each made by a
// real consumer whose handler fails: listed with their error, replayed to
// their group only (same message id, so an inbox recognises it; original
// place in their key's order), discarded; unknown ones and bad input refused.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DeliveryMeta, MessageHandler, Subscription } from "../../endpoints/bus.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { EchoRequestSchema, type EchoRequest } from "../../gen/itinera/echo/v1/echo_pb.js";
import { alreadyProcessed, createInboxTable, inTransactionOnce } from "../../platform/inbox.js";
import { postgresDeadLetters } from "./dead-letters.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "./database.fixture.js";
import { postgresOutbox } from "./outbox.js";
import { PostgresBus } from "./postgres-bus.js";
import { untilBusSettled } from "./quiescence.testing.js";

let t: BusTestDatabase;
let bus: PostgresBus;
const echo = (message: string) => create(EchoRequestSchema, { message });
const noWait = () => 0;

test.before(async () => {
  t = await openBusTestDatabase();
  bus = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 200 });
  await t.db.knex.raw(`create schema shop; create table shop.credits (customer text primary key, amount int not null)`);
  await createInboxTable(t.db.knex, "shop.inbox");
});

test.after(async () => {
  await bus.close();
  await t.close();
});

async function count(table: string, where = "true"): Promise<number> {
  const r = await t.db.knex.raw(`select count(*)::int as n from ${table} where ${where}`);
  return r.rows[0].n;
}

function publish(topic: string, key: string, message: string): Promise<bigint> {
  return bus.publish(postgresOutbox(t.db.knex), echoTopic(topic), key, echo(message));
}

/** Subscribes `group` to `topic` with one attempt and no backoff: a failing message is dead at once. */
function consume(topic: string, group: string, handler: MessageHandler<EchoRequest>): Promise<Subscription> {
  return bus.subscribe({ topic: echoTopic(topic), group, maxAttempts: 1, backoff: noWait, handler });
}

async function untilDead(group: string, messageId: bigint): Promise<void> {
  await waitFor(`message ${messageId} dead for ${group}`, async () => (await count("bus.dead_letters", `group_name = '${group}' and message_id = ${messageId}`)) === 1);
}

test("list: oldest first, with the error, type and attempts; filtered by group and topic; at most limit", async () => {
  const fail = (why: string) => async () => {
    throw new Error(why);
  };
  const a = await consume("dl.list-a", "lister-one", fail("first\nsecond line"));
  const b = await consume("dl.list-b", "lister-one", fail("b broke"));
  const c = await consume("dl.list-a", "lister-two", fail("two broke"));
  const first = await publish("dl.list-a", "k1", "one");
  await untilDead("lister-one", first);
  await untilDead("lister-two", first);
  const second = await publish("dl.list-b", "k2", "two");
  await untilDead("lister-one", second);
  await Promise.all([a.stop(), b.stop(), c.stop()]);

  const dl = postgresDeadLetters(t.db.knex);
  const mine = await dl.list({ group: "lister-one" });
  assert.equal(
    mine.map((d) => [d.group, d.topic, d.key, d.messageId, d.type, d.attempts, d.lastError]),
    [
      ["lister-one", "dl.list-a", "k1", first, "itinera.echo.v1.EchoRequest", 1, "Error: first\nsecond line"],
      ["lister-one", "dl.list-b", "k2", second, "itinera.echo.v1.EchoRequest", 1, "Error: b broke"],
    ],
  );
  assert.ok(mine[0]!.failedAt <= mine[1]!.failedAt && mine[0]!.publishedAt <= mine[0]!.failedAt);
  assert.equal((await dl.list({ topic: "dl.list-a" })).map((d) => d.group).sort(), ["lister-one", "lister-two"]);
  assert.equal((await dl.list({ group: "lister-one", topic: "dl.list-b" })).map((d) => d.messageId), [second]);
  assert.is((await dl.list({ topic: "dl.list-a", limit: 1 })).length, 1);
  assert.equal(await dl.list({ group: "nobody" }), []);
});

test("replay: delivered again to its group only, same message id, attempts from 1; the dead letter is gone; twice → false", async () => {
  let broken = true;
  const seen: DeliveryMeta[] = [];
  const other: string[] = [];
  const sub = await consume("dl.replay", "replayer", async (_c, _m, meta) => {
    seen.push(meta);
    if (broken) throw new Error("downstream is down");
  });
  const bystander = await consume("dl.replay", "bystander", async (_c, m) => void other.push(m.message));
  const id = await publish("dl.replay", "k", "again");
  await untilDead("replayer", id);
  await untilBusSettled(t.test.url, { groups: ["bystander"] });

  broken = false;
  const dl = postgresDeadLetters(t.db.knex);
  assert.is(await dl.replay("replayer", id), true);
  assert.is(await dl.replay("replayer", id), false, "a second replay of the same finds no dead letter");
  await untilBusSettled(t.test.url, { groups: ["replayer", "bystander"] });
  assert.equal(seen.map((m) => [m.messageId, m.attempt, m.group]), [
    [id, 1, "replayer"],
    [id, 1, "replayer"],
  ]);
  assert.equal(other, ["again"], "the other group is not delivered the replay");
  assert.is(await count("bus.dead_letters", `group_name = 'replayer'`), 0);
  await Promise.all([sub.stop(), bystander.stop()]);
});

test("replay: an inbox-using handler sees the same message id — an effect already recorded is not applied twice", async () => {
  let failAfterEffect = true;
  const applied: boolean[] = [];
  const sub = await consume("dl.inbox", "shop", async (_c, _m, meta) => {
    applied.push(
      await inTransactionOnce(t.db.knex, "shop.inbox", meta, async (trx) => {
        await trx.raw(`insert into shop.credits (customer, amount) values (?, 1) on conflict (customer) do update set amount = shop.credits.amount + 1`, [meta.key]);
      }),
    );
    // the effect and its inbox row are committed; what follows (a reply, a next step) fails
    if (failAfterEffect) throw new Error("the step after the effect failed");
  });
  const id = await publish("dl.inbox", "carol", "+1");
  await untilDead("shop", id);
  failAfterEffect = false;
  assert.ok(await postgresDeadLetters(t.db.knex).replay("shop", id));
  await untilBusSettled(t.test.url, { groups: ["shop"] });
  assert.equal(applied, [true, false], "the replay is recognised by the inbox");
  assert.ok(await alreadyProcessed(t.db.knex, "shop.inbox", "shop", id));
  const credits = await t.db.knex.raw(`select amount from shop.credits where customer = 'carol'`);
  assert.equal(credits.rows, [{ amount: 1 }]);
  await sub.stop();
});

test("replay takes the message's original place in its key: the key's later pending messages wait for it", async () => {
  let poisoned = true;
  const order: string[] = [];
  const handler: MessageHandler<EchoRequest> = async (_c, m) => {
    if (m.message === "first" && poisoned) throw new Error("poison");
    order.push(m.message);
  };
  const sub = await consume("dl.order", "ordered", handler);
  const first = await publish("dl.order", "k", "first");
  await untilDead("ordered", first);
  await sub.stop();
  // published while no consumer runs: pending behind nothing, until the replay
  await publish("dl.order", "k", "second");
  await publish("dl.order", "k", "third");
  poisoned = false;
  assert.ok(await postgresDeadLetters(t.db.knex).replay("ordered", first));
  const again = await consume("dl.order", "ordered", handler);
  await untilBusSettled(t.test.url, { groups: ["ordered"] });
  assert.equal(order, ["first", "second", "third"]);
  await again.stop();
});

test("a replayed message waits while a later message of its key is in hand, then runs after it, never beside it", async () => {
  let poisoned = true;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let inHand = false;
  const order: string[] = [];
  const overlaps: string[] = [];
  const sub = await bus.subscribe({
    topic: echoTopic("dl.in-hand"),
    group: "in-hand",
    maxAttempts: 1,
    concurrency: 2,
    handler: async (_c, m, meta) => {
      if (meta.key !== "k") return void order.push(m.message);
      if (m.message === "first" && poisoned) throw new Error("poison");
      if (inHand) overlaps.push(m.message);
      inHand = true;
      if (m.message === "second") await released;
      order.push(m.message);
      inHand = false;
    },
  });
  const first = await publish("dl.in-hand", "k", "first");
  await untilDead("in-hand", first);
  poisoned = false;
  await publish("dl.in-hand", "k", "second");
  await waitFor("the second message in hand", () => inHand);
  assert.is(await postgresDeadLetters(t.db.knex).replay("in-hand", first), true);
  // The free consumer loop claims in message-id order: once it has handled a
  // later message of another key, it has passed over the replayed one.
  await publish("dl.in-hand", "other", "third");
  await waitFor("the other key's message handled", () => order.includes("third"));
  const ranBeside = order.includes("first");
  release();
  assert.not.ok(ranBeside, "the replayed message ran while its key's next one was in hand");
  await untilBusSettled(t.test.url, { groups: ["in-hand"] });
  assert.equal(order, ["third", "second", "first"]);
  assert.equal(overlaps, []);
  await sub.stop();
});

test("discard: the dead letter is gone, the message stays for the others; twice → false; nothing is delivered", async () => {
  const calls: bigint[] = [];
  const sub = await consume("dl.discard", "discarder", async (_c, _m, meta) => {
    calls.push(meta.messageId);
    throw new Error("never works");
  });
  const id = await publish("dl.discard", "k", "bin it");
  await untilDead("discarder", id);
  const dl = postgresDeadLetters(t.db.knex);
  assert.is(await dl.discard("discarder", id), true);
  assert.is(await dl.discard("discarder", id), false);
  assert.is(await dl.replay("discarder", id), false, "a discarded letter cannot be replayed");
  await untilBusSettled(t.test.url, { groups: ["discarder"] });
  assert.equal(calls, [id]);
  assert.equal(await dl.list({ group: "discarder" }), []);
  assert.is(await count("bus.messages", `id = ${id}`), 1);
  await sub.stop();
});

test("unknown ids and another group's dead letter → false, nothing changes", async () => {
  const sub = await consume("dl.unknown", "owner", async () => {
    throw new Error("no");
  });
  const id = await publish("dl.unknown", "k", "x");
  await untilDead("owner", id);
  await sub.stop();
  const dl = postgresDeadLetters(t.db.knex);
  assert.is(await dl.replay("owner", id + 1000n), false);
  assert.is(await dl.discard("owner", id + 1000n), false);
  assert.is(await dl.replay("stranger", id), false);
  assert.is(await dl.discard("stranger", id), false);
  assert.equal((await dl.list({ group: "owner" })).map((d) => d.messageId), [id]);
  assert.is(await count("bus.deliveries", `group_name in ('owner', 'stranger')`), 0);
});

test("bad input is refused with INVALID_ARGUMENT naming the field, and nothing changes", async () => {
  const dl = postgresDeadLetters(t.db.knex);
  const before = [await count("bus.dead_letters"), await count("bus.deliveries")];
  const refused = async (what: string, call: () => Promise<unknown>, field: string) => {
    const e = await call().then(
      () => undefined,
      (x: unknown) => x,
    );
    assert.instance(e, KitError, what);
    assert.is((e as KitError).code, Code.InvalidArgument, what);
    assert.equal(
      (e as KitError).violations.map((v) => v.field),
      [field],
      what,
    );
  };
  await refused("limit 0", () => dl.list({ limit: 0 }), "limit");
  await refused("limit 501", () => dl.list({ limit: 501 }), "limit");
  await refused("limit 1.5", () => dl.list({ limit: 1.5 }), "limit");
  await refused("a group with spaces", () => dl.list({ group: "Bad Group" }), "group");
  await refused("a topic with a quote", () => dl.list({ topic: "x'; drop table bus.messages; --" }), "topic");
  await refused("message id 0", () => dl.replay("owner", 0n), "message_id");
  await refused("message id -1", () => dl.discard("owner", -1n), "message_id");
  await refused("message id over bigint", () => dl.replay("owner", 2n ** 63n), "message_id");
  await refused("no group", () => dl.replay("", 1n), "group");
  await refused("a group with a dot", () => dl.discard("a.b", 1n), "group");
  assert.equal([await count("bus.dead_letters"), await count("bus.deliveries")], before);
});

test.run();
