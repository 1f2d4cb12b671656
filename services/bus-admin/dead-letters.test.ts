// DeadLetterService over the wire (real HTTP/2: gRPC and Connect), wired as
// every consuming process wires it (its deadLetterEndpoints served beside its own service), over the
// PostgreSQL bus on a real database, with dead letters made by a real failing
// consumer. The process runs group "mine"; "theirs" belongs to another
// process. Only "operator" may call; bad input changes nothing.
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Subscription } from "../../endpoints/bus.js";
import { backgroundContext, type Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { kitRejection } from "../../endpoints/testing.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { postgresDeadLetters } from "../../transport/bus/dead-letters.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "../../transport/bus/database.fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { untilBusSettled } from "../../transport/bus/quiescence.testing.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { deadLetterEndpoints } from "./endpoints.js";
import { deadLetterService } from "./service.js";
import { deadLetterValidators } from "./validators.js";

const log = pino({ level: "silent" });
const topic = echoTopic("admin.things");
let t: BusTestDatabase;
let bus: PostgresBus;
let tracing: Tracing;
let server: RunningServer;
let auth: TestTokens;
let operator: Principal;
let grpc: Client<typeof DeadLetterService>;
let connect: Client<typeof DeadLetterService>;
/** Keys whose messages "mine" handles from now on (the fix an operator waits for before replaying). */
const healed = new Set<string>();
const handled: bigint[] = [];
const subs: Subscription[] = [];

test.before(async () => {
  t = await openBusTestDatabase();
  bus = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 200 });
  auth = await testTokens();
  operator = await auth.service("operator");
  tracing = createTracing({ serviceName: "bus-admin-test" });
  const rt = { log, registry: new Registry(), tracer: tracing.tracer };
  server = await startServer({
    port: 0,
    log,
    routes: (router) =>
      serveService(router, DeadLetterService, deadLetterEndpoints({ rt, groups: ["mine"], deadLetters: postgresDeadLetters(t.db.knex) }), {
        log: rt.log,
        authenticate: auth.authenticate,
      }),
    ready: t.db.ready,
    metrics: rt.registry,
  });
  grpc = clientOf(DeadLetterService, grpcTransport(server.url));
  connect = clientOf(DeadLetterService, connectTransport(server.url, { http2: true }));
  for (const group of ["mine", "theirs"]) {
    subs.push(
      await bus.subscribe({
        topic,
        group,
        maxAttempts: 1,
        handler: async (_c, _m, meta) => {
          if (group === "theirs" || !healed.has(meta.key)) throw new Error(`${group} cannot handle ${meta.key}\nsecond line of the error`);
          handled.push(meta.messageId);
        },
      }),
    );
  }
});

test.after(async () => {
  await Promise.all(subs.map((s) => s.stop()));
  await bus.close();
  await server?.close(5_000);
  await tracing?.shutdown();
  await t?.close();
});

const as = (principal: Principal) => backgroundContext({ log, principal });

/** Publishes one message; resolves once both groups dead-lettered it. */
async function deadLetter(key: string): Promise<bigint> {
  const id = await bus.publish(postgresOutbox(t.db.knex), topic, key, create(EchoRequestSchema, { message: key }));
  await waitFor(`message ${id} dead in both groups`, async () => {
    const r = await t.db.knex.raw(`select count(*)::int as n from bus.dead_letters where message_id = ?`, [id.toString()]);
    return r.rows[0].n === 2;
  });
  return id;
}

async function rows(): Promise<string[]> {
  const r = await t.db.knex.raw(`select group_name || ':' || message_id as row from bus.dead_letters union all select 'pending ' || group_name || ':' || message_id from bus.deliveries order by 1`);
  return r.rows.map((x: { row: string }) => x.row);
}

test("an operator lists this process's dead letters only, with their error, over gRPC and Connect on HTTP/2", async () => {
  const first = await deadLetter("order-1");
  const second = await deadLetter("order-2");
  for (const client of [grpc, connect]) {
    const res = await client.listDeadLetters(as(operator), {});
    assert.equal(res.groups, ["mine"]);
    assert.equal(
      res.deadLetters.map((d) => [d.group, d.topic, d.key, d.messageId, d.type, d.attempts, d.lastError]),
      [
        ["mine", "admin.things", "order-1", first, "itinera.echo.v1.EchoRequest", 1, "Error: mine cannot handle order-1\nsecond line of the error"],
        ["mine", "admin.things", "order-2", second, "itinera.echo.v1.EchoRequest", 1, "Error: mine cannot handle order-2\nsecond line of the error"],
      ],
    );
    const d = res.deadLetters[0]!;
    assert.ok(timestampDate(d.publishTime!) <= timestampDate(d.failTime!));
    assert.equal((await client.listDeadLetters(as(operator), { limit: 1 })).deadLetters.map((x) => x.messageId), [first]);
    assert.equal((await client.listDeadLetters(as(operator), { group: "mine", topic: "other.topic" })).deadLetters, []);
  }
  const foreign = await kitRejection(grpc.listDeadLetters(as(operator), { group: "theirs" }));
  assert.is(foreign.code, Code.NotFound);
  assert.match(foreign.message, /consumes no group "theirs".*call DeadLetterService on the process that consumes it/);
});

test("a process with several groups lists the oldest of them all, at most limit, each group's own", async () => {
  const id = await deadLetter("order-7");
  const both = localClient(
    DeadLetterService,
    deadLetterService({ deadLetters: postgresDeadLetters(t.db.knex), groups: ["theirs", "mine", "mine"] }),
    validation(deadLetterValidators()),
  );
  const all = await both.listDeadLetters(as(operator), { limit: 500 });
  assert.equal(all.groups, ["mine", "theirs"]);
  const failures = all.deadLetters.map((d) => timestampDate(d.failTime!).getTime());
  assert.equal(failures, [...failures].sort((a, b) => a - b), "oldest failure first across groups");
  assert.equal(all.deadLetters.filter((d) => d.messageId === id).map((d) => d.group).sort(), ["mine", "theirs"]);
  const two = await both.listDeadLetters(as(operator), { limit: 2 });
  assert.equal(two.deadLetters.map((d) => [d.group, d.messageId]), all.deadLetters.slice(0, 2).map((d) => [d.group, d.messageId]));
  assert.equal(new Set((await both.listDeadLetters(as(operator), { group: "theirs" })).deadLetters.map((d) => d.group)), new Set(["theirs"]));
});

test("an operator replays one (delivered again to its group, same id) and discards one; again → NOT_FOUND saying what to do", async () => {
  const replayed = await deadLetter("order-3");
  const discarded = await deadLetter("order-4");
  healed.add("order-3");
  await grpc.replayDeadLetter(as(operator), { group: "mine", messageId: replayed });
  await untilBusSettled(t.test.url, { groups: ["mine"] });
  assert.equal(handled, [replayed]);
  await connect.discardDeadLetter(as(operator), { group: "mine", messageId: discarded });
  const left = (await grpc.listDeadLetters(as(operator), {})).deadLetters.map((d) => d.messageId);
  assert.not.ok(left.includes(replayed) || left.includes(discarded), `left: ${left.join(", ")}`);

  for (const again of [
    () => grpc.replayDeadLetter(as(operator), { group: "mine", messageId: replayed }),
    () => connect.discardDeadLetter(as(operator), { group: "mine", messageId: discarded }),
    () => grpc.replayDeadLetter(as(operator), { group: "mine", messageId: discarded }),
  ]) {
    const e = await kitRejection(again());
    assert.is(e.code, Code.NotFound);
    assert.match(e.message, /has no dead letter with message id \d+: it was replayed or discarded already, or never failed; ListDeadLetters shows what there is/);
  }
  // another process's group: NOT_FOUND, and its dead letter stays where it is
  const before = await rows();
  assert.is((await kitRejection(grpc.replayDeadLetter(as(operator), { group: "theirs", messageId: replayed }))).code, Code.NotFound);
  assert.is((await kitRejection(grpc.discardDeadLetter(as(operator), { group: "theirs", messageId: discarded }))).code, Code.NotFound);
  assert.equal(await rows(), before);
  assert.ok(before.includes(`theirs:${replayed}`));
});

test("no token → UNAUTHENTICATED; a customer or another service → PERMISSION_DENIED; nothing changes", async () => {
  const id = await deadLetter("order-5");
  const before = await rows();
  const callers: [string, () => Promise<Principal | undefined>, Code][] = [
    ["no token", async () => undefined, Code.Unauthenticated],
    ["a customer", () => auth.customer("c-1"), Code.PermissionDenied],
    ["the booking service", () => auth.service("booking"), Code.PermissionDenied],
  ];
  for (const [who, principal, code] of callers) {
    const p = await principal();
    const ctx = backgroundContext({ log, ...(p ? { principal: p } : {}) });
    for (const call of [
      () => grpc.listDeadLetters(ctx, {}),
      () => grpc.replayDeadLetter(ctx, { group: "mine", messageId: id }),
      () => connect.discardDeadLetter(ctx, { group: "mine", messageId: id }),
    ]) {
      assert.is((await kitRejection(call())).code, code, who);
    }
  }
  assert.equal(await rows(), before);
});

test("bad input → INVALID_ARGUMENT naming the field; nothing changes", async () => {
  const id = await deadLetter("order-6");
  const before = await rows();
  const cases: [string, () => Promise<unknown>, string[]][] = [
    ["limit 501", () => grpc.listDeadLetters(as(operator), { limit: 501 }), ["limit"]],
    ["a group with spaces", () => grpc.listDeadLetters(as(operator), { group: "Mine !" }), ["group"]],
    ["a topic with a quote", () => connect.listDeadLetters(as(operator), { topic: "x'--" }), ["topic"]],
    ["message id 0", () => grpc.replayDeadLetter(as(operator), { group: "mine", messageId: 0n }), ["message_id"]],
    ["message id past int64", () => grpc.replayDeadLetter(as(operator), { group: "mine", messageId: 2n ** 63n }), ["message_id"]],
    ["no group", () => connect.discardDeadLetter(as(operator), { group: "", messageId: id }), ["group"]],
    ["both bad", () => grpc.discardDeadLetter(as(operator), { group: "a.b", messageId: 0n }), ["group", "message_id"]],
  ];
  for (const [what, call, fields] of cases) {
    const e = await kitRejection(call());
    assert.is(e.code, Code.InvalidArgument, what);
    assert.equal(
      e.violations.map((v) => v.field),
      fields,
      what,
    );
  }
  assert.equal(await rows(), before);
});

test.run();
