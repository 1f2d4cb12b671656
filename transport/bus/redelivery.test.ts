// Claims are leases: the claim commits at once (no transaction stays open
// while the handler runs); a consumer that hangs or dies mid-message leaves
// its lease to run out, another member of the group claims the message again
// (another attempt), the inbox makes the effect happen once, and the first
// consumer's late acknowledgement changes nothing.
import { create } from "@bufbuild/protobuf";
import knexFactory, { type Knex } from "knex";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { pgTypes } from "../../platform/db.js";
import type { DeliveryMeta } from "../../endpoints/bus.js";
import { alreadyProcessed, createInboxTable, inTransactionOnce } from "../../platform/inbox.js";
import { PostgresBus } from "./postgres-bus.js";
import { postgresOutbox } from "./outbox.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "./database.fixture.js";
import { nextIdle } from "./quiescence.testing.js";

let t: BusTestDatabase;
let crashyKnex: Knex;

test.before(async () => {
  t = await openBusTestDatabase();
  // the consumer's own schema: its effect and its inbox
  await t.db.knex.raw(`create schema shop; create table shop.credits (customer text primary key, amount int not null)`);
  await createInboxTable(t.db.knex, "shop.inbox");
  crashyKnex = knexFactory({
    client: "pg",
    connection: { connectionString: t.test.url, types: pgTypes, application_name: "crashy-consumer" },
    pool: { min: 0, max: 4 },
  });
});

test.after(async () => {
  await crashyKnex.destroy();
  await t.close();
});

/** The consumer's effect, once per message thanks to the inbox. */
function applyCredit(meta: DeliveryMeta): Promise<boolean> {
  return inTransactionOnce(t.db.knex, "shop.inbox", meta, async (trx) => {
    await trx.raw(
      `insert into shop.credits (customer, amount) values (?, 1)
       on conflict (customer) do update set amount = shop.credits.amount + 1`,
      [meta.key],
    );
  });
}

const count = async (sql: string, bindings: readonly string[] = []) => ((await t.db.knex.raw(sql, bindings)).rows[0] as { n: number }).n;

test("a message whose consumer hung past its lease is claimed again, applied once, and the late acknowledgement changes nothing", async () => {
  const crashy = new PostgresBus({ knex: crashyKnex, log: silentLog, pollMs: 200 });
  const healthy = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 200 });
  let effectDone = false;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const crashySub = await crashy.subscribe({
    topic: echoTopic("credits"),
    group: "shop",
    maxAttempts: 1,
    handler: async (_ctx, _m, meta) => {
      await applyCredit(meta);
      effectDone = true;
      await released; // hangs here, past its lease
    },
  });
  const id = await crashy.publish(postgresOutbox(t.db.knex), echoTopic("credits"), "alice", create(EchoRequestSchema, { message: "+1" }));
  await waitFor("the first consumer's effect", () => effectDone);
  // The claim committed: no transaction of the consumer stays open while its handler runs.
  assert.is(await count(`select count(*)::int as n from pg_stat_activity where application_name = 'crashy-consumer' and state like 'idle in transaction%'`), 0);

  const redelivered: { attempt: number; applied: boolean }[] = [];
  let finish!: () => void;
  const finished = new Promise<void>((r) => (finish = r));
  const healthyIdle = nextIdle(t.db.knex, "shop", "credits");
  const healthySub = await healthy.subscribe({
    topic: echoTopic("credits"),
    group: "shop",
    handler: async (_ctx, _m, meta) => {
      assert.is(meta.messageId, id);
      redelivered.push({ attempt: meta.attempt, applied: await applyCredit(meta) });
      await finished;
    },
  });
  // while the first consumer's lease runs, the other member of the group looks, skips the message and goes idle
  await healthyIdle;
  assert.equal(redelivered, []);

  // The lease runs out (as the clock would make it, 40 s after the claim by default).
  await t.db.knex.raw(`update bus.deliveries set available_at = now() where group_name = 'shop'`);
  await waitFor("the redelivery", () => redelivered.length > 0);
  assert.equal(redelivered, [{ attempt: 2, applied: false }]);

  // The hung handler returns now: its lease is gone, so its success neither deletes nor dead-letters the delivery.
  release();
  await crashySub.stop();
  const pending = await t.db.knex.raw(`select attempts from bus.deliveries where group_name = 'shop'`);
  assert.equal(pending.rows, [{ attempts: 2 }]);

  finish();
  await waitFor("the acknowledgement", async () => (await count(`select count(*)::int as n from bus.deliveries where group_name = 'shop'`)) === 0);
  assert.ok(await alreadyProcessed(t.db.knex, "shop.inbox", "shop", id));
  const credits = await t.db.knex.raw(`select amount from shop.credits where customer = 'alice'`);
  assert.equal(credits.rows, [{ amount: 1 }]);
  await healthySub.stop();
  await crashy.close();
  await healthy.close();
  assert.is(await count(`select count(*)::int as n from bus.dead_letters`), 0);
});

test("a lease runs out by itself; a message whose last attempt never settled is dead-lettered at its next claim, saying why", async () => {
  // Short leases: a 200 ms deadline and a 300 ms margin.
  const crashy = new PostgresBus({ knex: crashyKnex, log: silentLog, pollMs: 100, leaseMarginMs: 300 });
  const healthy = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 100, leaseMarginMs: 300 });
  let claimed = 0;
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  const crashySub = await crashy.subscribe({
    topic: echoTopic("last"),
    group: "last",
    maxAttempts: 1,
    timeoutMs: 200,
    handler: async () => {
      claimed++;
      await released; // dies here, as far as the bus can tell
    },
  });
  await crashy.publish(postgresOutbox(t.db.knex), echoTopic("last"), "k", create(EchoRequestSchema, { message: "x" }));
  await waitFor("the first claim", () => claimed === 1);

  let handledAgain = 0;
  const healthySub = await healthy.subscribe({
    topic: echoTopic("last"),
    group: "last",
    maxAttempts: 1,
    timeoutMs: 200,
    handler: async () => void handledAgain++,
  });
  await waitFor("the dead letter", async () => (await count(`select count(*)::int as n from bus.dead_letters where group_name = 'last'`)) === 1);
  const dead = await t.db.knex.raw(`select attempts, last_error from bus.dead_letters where group_name = 'last'`);
  assert.is(dead.rows[0].attempts, 1);
  assert.match(dead.rows[0].last_error, "attempt 1 did not finish within its lease of 500 ms (the consumer died or hung)");
  assert.is(handledAgain, 0, "a message past its last attempt is not handled again");
  assert.is(await count(`select count(*)::int as n from bus.deliveries where group_name = 'last'`), 0);

  release();
  await crashySub.stop();
  await healthySub.stop();
  await crashy.close();
  await healthy.close();
  // the late acknowledgement did not bring the dead letter back or duplicate it
  assert.is(await count(`select count(*)::int as n from bus.dead_letters where group_name = 'last'`), 1);
});

test("a consumer whose process died loses its lease with its connection: the message is claimed again at once, not when the lease runs out", async () => {
  const crashy = new PostgresBus({ knex: crashyKnex, log: silentLog, pollMs: 100 });
  const healthy = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 100 });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let claimed = false;
  const crashySub = await crashy.subscribe({
    topic: echoTopic("killed"),
    group: "killed",
    handler: async () => {
      claimed = true;
      await released;
    },
  });
  await crashy.publish(postgresOutbox(t.db.knex), echoTopic("killed"), "k", create(EchoRequestSchema, { message: "x" }));
  await waitFor("the first claim", () => claimed);
  const redelivered: number[] = [];
  const healthyIdle = nextIdle(t.db.knex, "killed", "killed");
  const healthySub = await healthy.subscribe({ topic: echoTopic("killed"), group: "killed", handler: async (_c, _m, meta) => void redelivered.push(meta.attempt) });
  await healthyIdle; // the lease (40 s by default) holds while its holder lives
  assert.equal(redelivered, []);

  // The process "dies": every connection it had is gone, its LISTEN connection included.
  await t.db.knex.raw(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'crashy-consumer'`);
  await waitFor("the redelivery", () => redelivered.length > 0);
  assert.equal(redelivered, [2]);
  await waitFor("the acknowledgement", async () => (await count(`select count(*)::int as n from bus.deliveries where group_name = 'killed'`)) === 0);

  release();
  await crashySub.stop();
  await healthySub.stop();
  await crashy.close();
  await healthy.close();
});

test.run();
