// `make dead-letters` with BUS=nats, as an operator runs it against NATS
// JetStream (NATS_URL): the real script, as a process, lists the dead
// letters a real consumer made by failing, replays one (the consumer gets it
// again, same message id) and discards one. The PostgreSQL engine's side of
// the command is scripts/dead-letters.test.ts.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Subscription } from "../endpoints/bus.js";
import { EchoRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { startProcess } from "../platform/processes.testing.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "../transport/bus/database.fixture.js";
import { startNatsServer, type NatsServer } from "../transport/bus/nats-server.testing.js";
import { openNatsBus, type NatsBus } from "../transport/bus/nats/nats-bus.js";
import { createOutboxTable, natsOutbox } from "../transport/bus/nats/outbox.js";

const topic = echoTopic("payment.authorisations");
const GROUP = "booking-settlement";
let t: BusTestDatabase;
let nats: NatsServer;
let bus: NatsBus;
let sub: Subscription;
const fixed = new Set<string>();
const handled: bigint[] = [];
const ids: bigint[] = [];

test.before(async () => {
  t = await openBusTestDatabase();
  await t.db.knex.raw(`create schema ops`);
  await createOutboxTable(t.db.knex, "ops.outbox");
  nats = await startNatsServer();
  bus = await openNatsBus({ servers: [nats.url], log: silentLog, knex: t.db.knex, outboxTable: "ops.outbox", relayPollMs: 200 });
  sub = await bus.subscribe({
    topic,
    group: GROUP,
    maxAttempts: 1,
    handler: async (_c, _m, meta) => {
      if (!fixed.has(meta.key)) throw new Error(`wallet refused the capture for ${meta.key}`);
      handled.push(meta.messageId);
    },
  });
  for (const key of ["pay-1", "pay-2"]) {
    ids.push(await t.db.knex.transaction((trx) => bus.publish(natsOutbox(trx, "ops.outbox"), topic, key, create(EchoRequestSchema, { message: key }))));
  }
  await waitFor("two dead letters", async () => (await bus.deadLetters.list()).length === 2);
});

test.after(async () => {
  await sub?.stop();
  await bus?.close();
  await nats?.stop();
  await t?.close();
});

async function deadLetters(...args: string[]): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const p = startProcess("scripts/dead-letters.ts", { BUS: "nats", NATS_URL: nats.url, NO_COLOR: "1" }, args);
  const code = await p.exited;
  return { code, lines: p.lines, stderr: p.stderr() };
}

test("BUS=nats: lists JetStream's dead letters, replays one to its group with its id, discards the other", async () => {
  const listed = await deadLetters();
  console.log(`make dead-letters (BUS=nats) printed:\n${listed.lines.join("\n")}`);
  assert.is(listed.code, 0, listed.stderr);
  const rows = listed.lines.slice(1, 3).map((row) => row.split(/\s{2,}/));
  assert.equal(rows.map((c) => c.slice(0, 5)).sort((a, b) => a[2]!.localeCompare(b[2]!)), [
    [GROUP, "payment.authorisations", "pay-1", String(ids[0]), "1"],
    [GROUP, "payment.authorisations", "pay-2", String(ids[1]), "1"],
  ]);
  assert.ok(rows.every((c) => /^Error: wallet refused the capture for pay-\d$/.test(c[6]!)), listed.lines.join("\n"));

  fixed.add("pay-1");
  const replayed = await deadLetters("replay", GROUP, String(ids[0]));
  assert.is(replayed.code, 0, replayed.stderr);
  await waitFor("the replayed message handled", () => handled.includes(ids[0]!));
  assert.equal(handled, [ids[0]]);

  const discarded = await deadLetters("discard", GROUP, String(ids[1]));
  assert.is(discarded.code, 0, discarded.stderr);
  assert.equal(await bus.deadLetters.list(), []);
  const again = await deadLetters("discard", GROUP, String(ids[1]));
  assert.is(again.code, 1, "a dead letter already discarded is unknown");
});

test.run();
