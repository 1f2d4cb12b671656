// DeadLetterService ("bus": the contract every process that consumes events
// serves for its own groups) against every committed pact that names it (the
// web BFF's Operator page: List, Replay, Discard): the real service, wired as
// services/mailer/main.ts wires it — deadLetterService over the PostgreSQL
// bus's dead letters, the server stack with its validators, bearer-token
// authentication — answering for the mailer's group on its own database. The
// five processes serve the same code over their own groups
// (services/bus-admin), so the mailer stands for all of them, as in the pact.
//
// States make real dead letters: a message on a topic the mailer's group
// subscribes to here with a handler that always fails, after its one
// attempt. The BFF forwards the operator's own token: each state signs one
// with the operator role for its customer.
//
// And the check that verification can fail: the same service, except that
// ListDeadLetters leaves each letter's fail_time out, must not pass.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Subscription } from "../../endpoints/bus.js";
import type { Service } from "../../endpoints/service.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { EchoRequestSchema } from "../../gen/itinera/echo/v1/echo_pb.js";
import { deadLetterService } from "../../services/bus-admin/service.js";
import { deadLetterValidators } from "../../services/bus-admin/validators.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { MAILER_GROUP } from "../../services/mailer/notifier.js";
import { postgresDeadLetters } from "../../transport/bus/dead-letters.js";
import { echoTopic, openBusTestDatabase, silentLog, waitFor, type BusTestDatabase } from "../../transport/bus/database.fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";

const topic = echoTopic("bus-verify.things");
let t: BusTestDatabase;
let bus: PostgresBus;
let tokens: TestTokens;
let subscription: Subscription | undefined;
let real: Service<typeof DeadLetterService>;
const servers: ProviderServer[] = [];
let published = 0;

async function serve(service: Service<typeof DeadLetterService>): Promise<ProviderServer> {
  const server = await startProvider(DeadLetterService, service, { validators: deadLetterValidators(), ready: t.db.ready, authenticate: tokens.authenticate });
  servers.push(server);
  return server;
}

/** A token of the state's operator, for the BFF's calls on their behalf (withCustomerBearer). */
const operatorToken = async (params: StateParams) => (await tokens.operator(stringParam(params, "customerId"))).token!;

const busStates = (): ProviderStates => ({
  async "a message of the mailer's group is a dead letter"(params) {
    const id = await bus.publish(postgresOutbox(t.db.knex), topic, `res_${++published}`, create(EchoRequestSchema, { message: "no address" }));
    await waitFor(`message ${id} dead-lettered by the mailer's group`, async () => {
      const r = await t.db.knex.raw(`select count(*)::int as n from bus.dead_letters where group_name = ? and message_id = ?`, [MAILER_GROUP, id.toString()]);
      return r.rows[0].n === 1;
    });
    return { messageId: id.toString(), customerToken: await operatorToken(params) };
  },
  async "the mailer's group has no dead letters"(params) {
    const deadLetters = postgresDeadLetters(t.db.knex);
    for (const d of await deadLetters.list({ group: MAILER_GROUP, limit: 100 })) await deadLetters.discard(MAILER_GROUP, d.messageId);
    return { customerToken: await operatorToken(params) };
  },
});

test.before(async () => {
  t = await openBusTestDatabase();
  bus = new PostgresBus({ knex: t.db.knex, log: silentLog, pollMs: 100 });
  tokens = await testTokens();
  subscription = await bus.subscribe({
    topic,
    group: MAILER_GROUP,
    maxAttempts: 1,
    handler: async () => {
      throw new Error("customer c-1 is unknown to identity (NOT_FOUND): no address for the invoice e-mail");
    },
  });
  real = deadLetterService({ deadLetters: postgresDeadLetters(t.db.knex), groups: [MAILER_GROUP] });
});
test.after(async () => {
  await Promise.all(servers.map((s) => s.close()));
  await subscription?.stop();
  await bus?.close();
  await t?.close();
});

test("the real DeadLetterService satisfies every pact that names it", async () => {
  const server = await serve(real);
  const result = await verifyProvider("bus", server.url, busStates());
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["web-bus.json"],
  );
  assert.ok(result.interactions >= 4, `${result.interactions} interactions`);
});

test("a DeadLetterService whose letters lack fail_time fails the web's pact", async () => {
  const server = await serve({
    ...real,
    async listDeadLetters(ctx, req) {
      const res = await real.listDeadLetters(ctx, req);
      return { groups: res.groups ?? [], deadLetters: (res.deadLetters ?? []).map(({ failTime: _, ...d }) => d) };
    },
  });
  const failure = await verifyProvider("bus", server.url, busStates()).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  assert.ok(failure, "verification passed against letters without fail_time");
  assert.match(failure.message, "an operator's look at a process's dead letters, from the web");
  assert.match(failure.message, "failTime");
});

test.run();
