// serviceTokens, a service's own identity for background work, against a
// fake identity (a Service<IdentityService> through localClient) and a clock
// the test moves: one fetch while the token is fresh, a new one a minute
// before expiry, one fetch shared by concurrent callers, failures not cached,
// and the still-valid token kept while a renewal fails.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code, internal, unavailable } from "../../endpoints/errors.js";
import { localClient, type Service } from "../../endpoints/service.js";
import { deferred, kitRejection, type Deferred } from "../../endpoints/testing.js";
import { IdentityService, type IssueServiceTokenRequest } from "../../gen/itinera/identity/v1/identity_pb.js";
import { serviceTokens } from "./service-tokens.js";

const ctx = backgroundContext({ log: pino({ level: "silent" }) });
const TTL_SECONDS = 900;

/** Identity whose IssueServiceToken answers "token-1", "token-2", … — or waits for / fails with what the test says. */
function fakeIdentity() {
  const state = {
    requests: [] as { serviceName: string; secret: string }[],
    /** When set, the next answers wait for it. */
    gate: undefined as Deferred<void> | undefined,
    /** When set, calls fail with it. */
    fail: undefined as unknown,
  };
  const no = async () => {
    throw internal("not in this fake");
  };
  const service: Service<typeof IdentityService> = {
    signUp: no,
    signIn: no,
    refresh: no,
    signOut: no,
    verifyEmail: no,
    getJwks: no,
    getCustomer: no,
    grantOperatorRole: no,
    async issueServiceToken(_ctx, req: IssueServiceTokenRequest) {
      state.requests.push({ serviceName: req.serviceName, secret: req.secret });
      const n = state.requests.length;
      await state.gate?.promise;
      if (state.fail) throw state.fail;
      return { accessToken: `token-${n}`, expiresInSeconds: TTL_SECONDS };
    },
  };
  return { client: localClient(IdentityService, service), state };
}

function setup(opts: { renewBeforeMs?: number } = {}) {
  const identity = fakeIdentity();
  const clock = { ms: Date.UTC(2030, 0, 1) };
  const tokens = serviceTokens({
    identity: identity.client,
    serviceName: "sellers",
    secret: "s3cret",
    now: () => clock.ms,
    ...opts,
  });
  return { tokens, state: identity.state, clock };
}

test("the first call fetches a token with the service's name and secret; later calls use the cached one", async () => {
  const { tokens, state } = setup();
  const p = await tokens.principal(ctx);
  assert.equal(p, { kind: "service", id: "sellers", roles: [], token: "token-1" });
  assert.equal(state.requests, [{ serviceName: "sellers", secret: "s3cret" }]);
  assert.is(await tokens.principal(ctx), p);
  assert.is(state.requests.length, 1);
});

test("renewed a minute before expiry, not earlier", async () => {
  const { tokens, state, clock } = setup();
  const start = clock.ms;
  await tokens.principal(ctx);
  clock.ms = start + (TTL_SECONDS - 60) * 1000 - 1;
  assert.is((await tokens.principal(ctx)).token, "token-1", "more than a minute left: cached");
  clock.ms = start + (TTL_SECONDS - 60) * 1000;
  assert.is((await tokens.principal(ctx)).token, "token-2", "a minute left: renewed");
  assert.is((await tokens.principal(ctx)).token, "token-2", "the new token is cached in turn");
  assert.is(state.requests.length, 2);
});

test("renewBeforeMs moves the renewal", async () => {
  const { tokens, clock } = setup({ renewBeforeMs: 300_000 });
  const start = clock.ms;
  await tokens.principal(ctx);
  clock.ms = start + (TTL_SECONDS - 300) * 1000 - 1;
  assert.is((await tokens.principal(ctx)).token, "token-1");
  clock.ms += 1;
  assert.is((await tokens.principal(ctx)).token, "token-2");
});

test("concurrent callers share one fetch, at the start and at renewal", async () => {
  const { tokens, state, clock } = setup();
  state.gate = deferred();
  const first = Array.from({ length: 5 }, () => tokens.principal(ctx));
  await Promise.resolve();
  assert.is(state.requests.length, 1);
  state.gate.resolve();
  const got = await Promise.all(first);
  assert.ok(got.every((p) => p === got[0] && p.token === "token-1"));

  clock.ms += TTL_SECONDS * 1000; // expired
  state.gate = deferred();
  const renewals = Array.from({ length: 5 }, () => tokens.principal(ctx));
  state.gate.resolve();
  assert.ok((await Promise.all(renewals)).every((p) => p.token === "token-2"));
  assert.is(state.requests.length, 2);
});

test("a failed fetch reaches every waiting caller and is not cached: the next call fetches again", async () => {
  const { tokens, state } = setup();
  state.gate = deferred();
  state.fail = unavailable("identity is down");
  const waiting = [tokens.principal(ctx), tokens.principal(ctx)];
  state.gate.resolve();
  for (const p of waiting) assert.is((await kitRejection(p)).code, Code.Unavailable);
  assert.is(state.requests.length, 1);

  state.fail = undefined;
  assert.is((await tokens.principal(ctx)).token, "token-2");
  assert.is(state.requests.length, 2);
});

test("while renewal fails, the old token is used until it expires; then the failure shows", async () => {
  const { tokens, state, clock } = setup();
  const start = clock.ms;
  await tokens.principal(ctx);
  state.fail = unavailable("identity is down");
  clock.ms = start + (TTL_SECONDS - 30) * 1000;
  assert.is((await tokens.principal(ctx)).token, "token-1", "30 s left: renewal tried, the old token kept");
  assert.is(state.requests.length, 2);
  clock.ms = start + TTL_SECONDS * 1000;
  assert.is((await kitRejection(tokens.principal(ctx))).code, Code.Unavailable, "expired: no token to give");
  state.fail = undefined;
  assert.is((await tokens.principal(ctx)).token, "token-4");
});

test.run();
