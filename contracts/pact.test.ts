// The contract machinery itself, on the kit's Echo service (no database):
// pacts written with connectRequest/connectResponse/connectError through a
// real kit client pass against a real kit server (so the helpers describe
// Connect JSON as clientOf sends it and serveService answers it, errors
// included); settle() keeps an unchanged pact byte-identical and refuses a
// changed one unless asked to update; verifyProvider refuses states without
// a handler and providers that break a pact; a pact withBearer matches any
// bearer token and its verification sends the provider's own, with the
// values a state chose in place of the pact's examples; a pact
// withCustomerBearer sends the token its state signed, whatever bearerTokens say.
// In CI, PACT_UPDATE=1 is refused and nothing is written into contracts/pacts/.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Principal } from "../endpoints/context.js";
import { Code, invalidArgument, KitError, notFound, unauthenticated } from "../endpoints/errors.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { clientOf, connectTransport } from "../transport/client.js";
import { echoImpl, silentLog, startEchoServer } from "../transport/echo.fixture.js";
import type { RunningServer } from "../transport/server.js";
import { settleWithCommitted, updateRequested } from "./consumer.js";
import {
  connectError,
  connectRequest,
  connectResponse,
  consumerPact,
  int64String,
  Matchers,
  pactChanges,
  PACTS_DIR,
  verifyProvider,
  withBearer,
  withCustomerBearer,
  type ConsumerPact,
} from "./pact.js";

const ctx = backgroundContext({ log: silentLog });
let dir: string;
let server: RunningServer;
const echoClient = (url: string) => clientOf(EchoService, connectTransport(url, { binary: false }));

/** Kit error code of a failed call (fails the test when the call succeeds). */
async function codeOf(call: Promise<unknown>): Promise<Code> {
  const outcome = await call.then(() => undefined, (e: unknown) => e);
  if (!(outcome instanceof KitError)) throw new Error(`expected a KitError, got ${String(outcome)}`);
  return outcome.code;
}

/** The tool's pact: Echo answers, Echo's errors, and Increment's int64. */
async function writeEchoPact(pact: ConsumerPact, greeting: string) {
  const echoed = await pact
    .interaction()
    .uponReceiving("an echo")
    .withRequest(...connectRequest(EchoService.method.echo, { message: greeting }))
    .willRespondWith(...connectResponse({ message: Matchers.like(greeting) }))
    .executeTest((mock) => echoClient(mock.url).echo(ctx, { message: greeting }));
  assert.is(echoed?.message, greeting);
  const missing = await pact
    .interaction()
    .uponReceiving("an echo of something unknown")
    .withRequest(...connectRequest(EchoService.method.echo, { message: "missing" }))
    .willRespondWith(...connectError(Code.NotFound, { message: Matchers.like("no such message") }))
    .executeTest((mock) => codeOf(echoClient(mock.url).echo(ctx, { message: "missing" })));
  assert.is(missing, Code.NotFound);
  const empty = await pact
    .interaction()
    .uponReceiving("an empty echo")
    .withRequest(...connectRequest(EchoService.method.echo, {}))
    .willRespondWith(...connectError(Code.InvalidArgument))
    .executeTest((mock) => codeOf(echoClient(mock.url).echo(ctx, {})));
  assert.is(empty, Code.InvalidArgument);
  const counted = await pact
    .interaction()
    .uponReceiving("an increment")
    .withRequest(...connectRequest(EchoService.method.increment, { by: 2 }, (json) => ({ ...json, by: Matchers.integer(2) })))
    .willRespondWith(...connectResponse({ value: int64String("2") }))
    .executeTest((mock) => echoClient(mock.url).increment(ctx, { by: 2 }));
  assert.is(counted?.value, 2n);
}

test.before(async () => {
  dir = await mkdtemp(join(tmpdir(), "pact-machinery-"));
  const echo = echoImpl();
  server = await startEchoServer({
    impl: {
      ...echo,
      async echo(c, req) {
        if (req.message === "missing") throw notFound("no such message");
        if (req.message === "") {
          throw invalidArgument("message: is required", [{ field: "message", rule: "required", description: "is required" }]);
        }
        return echo.echo(c, req);
      },
    },
  });
});
test.after(async () => {
  await server?.close(5_000);
  await rm(dir, { recursive: true, force: true });
});

test("Connect JSON pacts written through a kit client pass against a real kit server, errors included", async () => {
  const pact = await consumerPact("tool", "echo", { pactsDir: dir, update: true });
  try {
    await writeEchoPact(pact, "hello");
    assert.is(await pact.settle(), "written");
  } finally {
    await pact.close();
  }
  const result = await verifyProvider("echo", server.url, {}, { pactsDir: dir });
  assert.equal(result, { pacts: [join(dir, "tool-echo.json")], interactions: 4 });
});

test("settle: the same contract leaves the committed file untouched; a changed one fails until updated", async () => {
  const file = join(dir, "tool-echo.json");
  const [before, beforeStat] = [await readFile(file, "utf8"), await stat(file)];

  const same = await consumerPact("tool", "echo", { pactsDir: dir, update: true });
  await writeEchoPact(same, "hello");
  assert.is(await same.settle(), "unchanged");
  await same.close();
  assert.is(await readFile(file, "utf8"), before);
  assert.is((await stat(file)).mtimeMs, beforeStat.mtimeMs);

  const changed = await consumerPact("tool", "echo", { pactsDir: dir, update: false });
  await writeEchoPact(changed, "bonjour");
  const refused = await changed.settle().then(() => "settled", (e: Error) => e.message);
  assert.match(refused, 'changed interaction "an echo"');
  assert.match(refused, "PACT_UPDATE=1");
  assert.is(await readFile(file, "utf8"), before, "a refused change writes nothing");
  await changed.close();
});

test("settle: a failed interaction leaves an incomplete pact, which is never compared or written", async () => {
  const file = join(dir, "tool-echo.json");
  const before = await readFile(file, "utf8");
  const pact = await consumerPact("tool", "echo", { pactsDir: dir, update: true, recordWaitMs: 100 });
  try {
    await writeEchoPact(pact, "hello");
    const wrong = await pact
      .interaction()
      .uponReceiving("an echo the consumer does not send")
      .withRequest(...connectRequest(EchoService.method.echo, { message: "expected" }))
      .willRespondWith(...connectResponse({}))
      .executeTest((mock) => echoClient(mock.url).echo(ctx, { message: "sent" }).then(() => "answered", () => "refused"))
      .then(() => "passed", (e: Error) => e.message);
    assert.match(wrong, "$.message: Expected 'sent' (String) to be equal to 'expected' (String)");
    const refused = await pact.settle().then(() => "settled", (e: Error) => e.message);
    assert.match(refused, "1 interaction(s) of tool → echo failed");
    assert.is(await readFile(file, "utf8"), before);
  } finally {
    await pact.close();
  }
});

test("in CI, PACT_UPDATE=1 is refused and settle() never writes into contracts/pacts/", async () => {
  // CI is any value but "", "0" and "false": PACT_UPDATE=1 then fails the consumer test's settle(), which writes nothing.
  for (const CI of ["true", "1", "yes", "TRUE"]) {
    const pact = await consumerPact("tool", "echo-in-ci", { pactsDir: dir, env: { CI, PACT_UPDATE: "1" } });
    try {
      await writeEchoPact(pact, "hello");
      const refused = await pact.settle().then((r) => r as string, (e: Error) => e.message);
      assert.match(refused, `PACT_UPDATE=1 is refused in CI (CI=${CI})`);
      assert.match(refused, "review the diff of contracts/pacts/ and commit it");
      assert.not.ok(existsSync(join(dir, "tool-echo-in-ci.json")), "nothing written");
    } finally {
      await pact.close();
    }
    assert.throws(() => updateRequested({ env: { CI, PACT_UPDATE: "1" } }), /refused in CI/);
  }
  for (const CI of [undefined, "", "0", "false", "False"]) assert.is(updateRequested({ env: { CI, PACT_UPDATE: "1" } }), true);
  assert.is(updateRequested({ env: { CI: "true" } }), false, "CI without PACT_UPDATE compares");

  // Even asked to update (opts.update), a CI run writes nothing into contracts/pacts/: a changed contract fails.
  const written = join(dir, "tool-ci-guard.json");
  await writeFile(written, JSON.stringify({ consumer: { name: "tool" }, provider: { name: "ci-guard" }, interactions: [] }));
  const committed = join(PACTS_DIR, "tool-ci-guard.json");
  try {
    const outcome = await settleWithCommitted({ consumer: "tool", provider: "ci-guard", written, file: committed, update: true, failed: 0, env: { CI: "true" } }).then(
      (r) => r as string,
      (e: Error) => e.message,
    );
    assert.match(outcome, `refusing to write ${committed} in CI`);
    assert.match(outcome, "the pact is not committed yet");
    assert.not.ok(existsSync(committed), "nothing written into contracts/pacts/");
    // Outside CI, the same call writes: the refusal is CI's, not a broken settle().
    const outside = join(dir, "tool-ci-guard-outside.json");
    assert.is(await settleWithCommitted({ consumer: "tool", provider: "ci-guard", written, file: outside, update: true, failed: 0, env: { CI: "true" } }), "written");
    assert.ok(existsSync(outside), "a scratch directory is not contracts/pacts/: the machinery's own tests still write there");
  } finally {
    await rm(committed, { force: true });
  }
});

test("pactChanges: added and removed interactions count, Pact's own versions do not", () => {
  const pact = (descriptions: string[], version: string) =>
    JSON.stringify({
      consumer: { name: "a" },
      provider: { name: "b" },
      interactions: descriptions.map((description) => ({ description, request: { method: "POST" } })),
      metadata: { "pact-js": { version }, pactRust: { ffi: version }, pactSpecification: { version: "4.0" } },
    });
  assert.equal(pactChanges(pact(["x", "y"], "1"), pact(["x", "y"], "2")), []);
  assert.equal(pactChanges(pact(["x", "y"], "1"), pact(["x", "z"], "1")), [
    'added interaction "z"',
    'removed interaction "y" (or its test failed)',
  ]);
});

test("verifyProvider refuses a provider that breaks a pact, and states without a handler", async () => {
  const broken = await startEchoServer({
    impl: { ...echoImpl(), echo: async () => ({ message: "" }) }, // proto JSON then leaves "message" out
  });
  try {
    const failure = await verifyProvider("echo", broken.url, {}, { pactsDir: dir }).then(() => "verified", (e: Error) => e.message);
    assert.match(failure, "an echo");
    assert.match(failure, "Actual map is missing the following keys: message");
  } finally {
    await broken.close(5_000);
  }

  const stateful = await consumerPact("tool", "stateful", { pactsDir: dir, update: true });
  await stateful
    .interaction()
    .given("an echo service that remembers")
    .uponReceiving("an echo")
    .withRequest(...connectRequest(EchoService.method.echo, { message: "hi" }))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => echoClient(mock.url).echo(ctx, { message: "hi" }));
  await stateful.settle();
  await stateful.close();
  const unhandled = await verifyProvider("stateful", server.url, {}, { pactsDir: dir }).then(() => "verified", (e: Error) => e.message);
  assert.match(unhandled, 'provider states without a handler: "an echo service that remembers"');
});

test("withBearer: any bearer token in the pact, the provider's own in its verification, a state's values in place of examples", async () => {
  const pact = await consumerPact("tool", "guarded", { pactsDir: dir, update: true, recordWaitMs: 100 });
  const caller = (token?: string) =>
    backgroundContext({ log: silentLog, ...(token ? { principal: { kind: "service", id: "tool", roles: [], token } } : {}) });
  const guardedEcho = (stage: ReturnType<ConsumerPact["interaction"]>) =>
    stage
      .given("a word is remembered")
      .uponReceiving("an echo of the remembered word")
      .withRequest(...withBearer(connectRequest(EchoService.method.echo, { message: "hello" }, () => ({ message: Matchers.fromProviderState("${word}", "hello") }))))
      .willRespondWith(...connectResponse({ message: Matchers.like("hello") }));
  try {
    const withoutToken = await guardedEcho(pact.interaction())
      .executeTest((mock) => echoClient(mock.url).echo(caller(), { message: "hello" }).then(() => "answered", () => "refused"))
      .then(() => "passed", (e: Error) => e.message);
    assert.match(withoutToken, "authorization", "a call without a token does not match");
  } finally {
    await pact.close();
  }
  const again = await consumerPact("tool", "guarded", { pactsDir: dir, update: true });
  try {
    const echoed = await guardedEcho(again.interaction()).executeTest((mock) => echoClient(mock.url).echo(caller("the-tool's-own-token"), { message: "hello" }));
    assert.is(echoed?.message, "hello");
    assert.is(await again.settle(), "written");
  } finally {
    await again.close();
  }

  const seen: { message: string; principal: Principal | undefined }[] = [];
  const guarded = await startEchoServer({
    impl: { ...echoImpl(), echo: async (c, req) => (seen.push({ message: req.message, principal: c.principal }), { message: req.message }) },
    authenticate: async (authorization) => {
      if (authorization !== "Bearer verifier-token") throw unauthenticated("not the verifier's token");
      return { kind: "service", id: "verifier", roles: [], token: "verifier-token" };
    },
  });
  try {
    const states = { "a word is remembered": async () => ({ word: "bonjour" }) };
    const refused = await verifyProvider("guarded", guarded.url, states, { pactsDir: dir }).then(() => "verified", (e: Error) => e.message);
    assert.match(refused, "an echo of the remembered word", "the pact's example token is not the provider's");
    const result = await verifyProvider("guarded", guarded.url, states, { pactsDir: dir, bearerTokens: { tool: "verifier-token" } });
    assert.is(result.interactions, 1);
    assert.equal(seen, [{ message: "bonjour", principal: { kind: "service", id: "verifier", roles: [], token: "verifier-token" } }]);
  } finally {
    await guarded.close(5_000);
  }
});

test("withCustomerBearer: any token in the pact, the state's customer token in verification, even beside the consumer's bearer token", async () => {
  const pact = await consumerPact("tool", "per-customer", { pactsDir: dir, update: true });
  try {
    const caller = backgroundContext({ log: silentLog, principal: { kind: "customer", id: "c-1", roles: [], token: "the-customer's-own-token" } });
    const echoed = await pact
      .interaction()
      .given("a customer is known", { customerId: "c-1" })
      .uponReceiving("an echo for a customer")
      .withRequest(...withCustomerBearer(connectRequest(EchoService.method.echo, { message: "mine" })))
      .willRespondWith(...connectResponse({ message: Matchers.like("mine") }))
      .executeTest((mock) => echoClient(mock.url).echo(caller, { message: "mine" }));
    assert.is(echoed?.message, "mine");
    assert.is(await pact.settle(), "written");
  } finally {
    await pact.close();
  }

  const seen: (Principal | undefined)[] = [];
  const tokens: Record<string, Principal> = {
    "Bearer state-token-of-c-1": { kind: "customer", id: "c-1", roles: [], token: "state-token-of-c-1" },
    "Bearer verifier-token": { kind: "service", id: "verifier", roles: [], token: "verifier-token" },
  };
  const guarded = await startEchoServer({
    impl: { ...echoImpl(), echo: async (c, req) => (seen.push(c.principal), { message: req.message }) },
    authenticate: async (authorization) => {
      const principal = authorization === undefined ? undefined : tokens[authorization];
      if (!principal) throw unauthenticated("an unknown token");
      return principal;
    },
  });
  try {
    const states = { "a customer is known": async () => ({ customerToken: "state-token-of-c-1" }) };
    await verifyProvider("per-customer", guarded.url, states, { pactsDir: dir, bearerTokens: { tool: "verifier-token" } });
    assert.equal(seen.map((p) => [p?.kind, p?.id]), [["customer", "c-1"]]);
  } finally {
    await guarded.close(5_000);
  }
});

test.run();
