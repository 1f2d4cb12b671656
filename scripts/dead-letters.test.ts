// `make dead-letters` as an operator runs it: the real script, as a process,
// against a real PostgreSQL (DATABASE_URL, as the services read it) whose
// dead letters a real consumer made by failing. It lists them as a table
// (errors on one line, control characters gone), replays one (the consumer
// gets it again, same id) and discards one; an unknown one exits 1, bad
// arguments exit 2 with the usage and change nothing.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Subscription } from "../endpoints/bus.js";
import { EchoRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { startProcess } from "../platform/processes.testing.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "../transport/bus/database.fixture.js";
import { postgresOutbox } from "../transport/bus/outbox.js";
import { PostgresBus } from "../transport/bus/postgres-bus.js";
import { untilBusSettled } from "../transport/bus/quiescence.testing.js";

const topic = echoTopic("payment.authorisations");
const GROUP = "booking-settlement";
let t: BusTestDatabase;
let bus: PostgresBus;
let sub: Subscription;
const fixed = new Set<string>();
const handled: bigint[] = [];
const ids: bigint[] = [];

test.before(async () => {
  t = await openBusTestDatabase();
  bus = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 200 });
  sub = await bus.subscribe({
    topic,
    group: GROUP,
    maxAttempts: 2,
    backoff: () => 0,
    handler: async (_c, _m, meta) => {
      if (!fixed.has(meta.key)) throw new Error(`wallet refused the capture for ${meta.key}\n    at capture (settlement.ts:1)\x1b[31m`);
      handled.push(meta.messageId);
    },
  });
  for (const key of ["pay-1", "pay-2", "pay-3"]) {
    ids.push(await bus.publish(postgresOutbox(t.db.knex), topic, key, create(EchoRequestSchema, { message: key })));
  }
  await waitFor("three dead letters", async () => (await deadCount()) === 3);
});

test.after(async () => {
  await sub?.stop();
  await bus?.close();
  await t?.close();
});

async function deadCount(): Promise<number> {
  const r = await t.db.knex.raw(`select count(*)::int as n from bus.dead_letters`);
  return r.rows[0].n;
}

/** Runs the command to its end: exit code, stdout lines, stderr. */
async function deadLetters(...args: string[]): Promise<{ code: number | null; lines: string[]; stderr: string }> {
  const p = startProcess("scripts/dead-letters.ts", { DATABASE_URL: t.test.url, BUS: "postgres", NO_COLOR: "1" }, args);
  const code = await p.exited;
  return { code, lines: p.lines, stderr: p.stderr() };
}

test("lists the dead letters as a table, oldest first, each error on one line", async () => {
  const r = await deadLetters();
  console.log(`make dead-letters printed:\n${r.lines.join("\n")}`);
  assert.is(r.code, 0, r.stderr);
  assert.match(r.lines[0]!, /^group\s+topic\s+key\s+message id\s+attempts\s+failed at\s+error$/);
  const rows = r.lines.slice(1, 4);
  for (const [i, row] of rows.entries()) {
    const cells = row.split(/\s{2,}/);
    assert.equal(cells.slice(0, 5), [GROUP, "payment.authorisations", `pay-${i + 1}`, String(ids[i]), "2"], row);
    assert.match(cells[5]!, /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
    assert.is(cells[6], `Error: wallet refused the capture for pay-${i + 1}`);
  }
  assert.not.ok(r.lines.join("\n").includes("\x1b"), "no terminal escapes from the error");
  assert.match(r.lines[4]!, /^3 dead letters, oldest failure first\. replay <group> <message-id> or discard <group> <message-id>\.$/);
  assert.is(r.lines.length, 5);

  const limited = await deadLetters("list", "--limit", "1", "--group", GROUP);
  assert.is(limited.code, 0);
  assert.is(limited.lines.length, 3);
  assert.match(limited.lines[2]!, /the first 1: --limit \(up to 500\)/);
  const none = await deadLetters("list", "--topic", "other.topic");
  assert.equal([none.code, none.lines[0]], [0, "no dead letters on other.topic (PostgreSQL at " + t.test.url.replace(/:[^:@/]+@/, ":***@") + ")"]);
});

test("replay: the consumer gets the message again with its id; a second replay exits 1", async () => {
  fixed.add("pay-1");
  const r = await deadLetters("replay", GROUP, String(ids[0]));
  assert.equal([r.code, r.lines], [0, [`replayed message ${ids[0]}: delivered again to group ${GROUP}`]], r.stderr);
  await untilBusSettled(t.test.url, { groups: [GROUP] });
  assert.equal(handled, [ids[0]]);
  const again = await deadLetters("replay", GROUP, String(ids[0]));
  assert.is(again.code, 1);
  assert.match(again.lines[0]!, /has no dead letter with message id \d+: replayed or discarded already, or it never failed; `make dead-letters` lists them/);
  assert.is(await deadCount(), 2);
});

test("discard: gone from the list, never delivered; a second discard and an unknown id exit 1", async () => {
  const r = await deadLetters("discard", GROUP, String(ids[1]));
  assert.equal([r.code, r.lines], [0, [`discarded message ${ids[1]} of group ${GROUP}: it will not be delivered to ${GROUP} again`]], r.stderr);
  assert.is((await deadLetters("discard", GROUP, String(ids[1]))).code, 1);
  assert.is((await deadLetters("discard", "another-group", String(ids[2]))).code, 1);
  const left = await deadLetters("list");
  assert.equal(left.lines.slice(1, -1).map((l) => l.split(/\s{2,}/)[3]), [String(ids[2])]);
  assert.equal(handled, [ids[0]]);
});

test("bad arguments exit 2 with the usage and change nothing", async () => {
  const before = await deadCount();
  for (const args of [["frob"], ["replay", GROUP], ["replay", GROUP, "12abc"], ["discard", "Bad Group", "1"], ["replay", GROUP, "0"], ["list", "--limit", "501"], ["list", "--bogus"]]) {
    const r = await deadLetters(...args);
    assert.is(r.code, 2, args.join(" "));
    assert.match(r.stderr, /Usage: make dead-letters/, args.join(" "));
    assert.equal(r.lines, [], args.join(" "));
  }
  assert.is(await deadCount(), before);
});

test.run();
