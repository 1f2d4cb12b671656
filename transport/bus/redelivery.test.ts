// A consumer that dies after its effect but before acknowledging: its claim
// (a row lock) goes with its connection, another member of the group gets the
// message again, and the inbox makes the effect happen once.
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

test("a message whose consumer crashed before acknowledging is redelivered, and the inbox applies it once", async () => {
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
      await released; // "crashes" here: its connection is killed before it acknowledges
    },
  });
  const id = await crashy.publish(postgresOutbox(t.db.knex), echoTopic("credits"), "alice", create(EchoRequestSchema, { message: "+1" }));
  await waitFor("the first consumer's effect", () => effectDone);

  const redelivered: { attempt: number; applied: boolean }[] = [];
  const healthyIdle = nextIdle(t.db.knex, "shop", "credits");
  const healthySub = await healthy.subscribe({
    topic: echoTopic("credits"),
    group: "shop",
    handler: async (_ctx, _m, meta) => {
      assert.is(meta.messageId, id);
      redelivered.push({ attempt: meta.attempt, applied: await applyCredit(meta) });
    },
  });
  // while the first consumer holds its claim, the other member of the group looks, skips the message and goes idle
  await healthyIdle;
  assert.equal(redelivered, []);

  await t.db.knex.raw(`select pg_terminate_backend(pid) from pg_stat_activity where application_name = 'crashy-consumer'`);
  await waitFor("the redelivery", () => redelivered.length > 0);
  assert.equal(redelivered, [{ attempt: 1, applied: false }]);
  assert.ok(await alreadyProcessed(t.db.knex, "shop.inbox", "shop", id));
  const credits = await t.db.knex.raw(`select amount from shop.credits where customer = 'alice'`);
  assert.equal(credits.rows, [{ amount: 1 }]);
  await waitFor("the acknowledgement", async () => {
    const r = await t.db.knex.raw(`select count(*)::int as n from bus.deliveries where group_name = 'shop'`);
    return r.rows[0].n === 0;
  });

  release(); // the crashed handler returns; its acknowledgement fails and its loop goes on
  await crashySub.stop();
  await healthySub.stop();
  await crashy.close();
  await healthy.close();
  const dead = await t.db.knex.raw(`select count(*)::int as n from bus.dead_letters`);
  assert.is(dead.rows[0].n, 0);
});

test.run();
