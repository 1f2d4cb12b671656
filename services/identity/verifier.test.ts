// Identity over the wire as main.ts wires it (serveIdentity: serverStack,
// serveService, startServer with the JWKS route), and the verifier other
// services use, fetching the keys from that real server: valid, expired,
// foreign-key, malformed and missing tokens; the bearer authenticator; and
// no e-mail address or password in any log line.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { Writable } from "node:stream";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { create } from "@bufbuild/protobuf";
import { IdentityService, SignUpResponseSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import type { RunningServer } from "../../transport/server.js";
import type { Client } from "../../endpoints/service.js";
import { identityFixture, serveIdentity, type IdentityFixture } from "./fixture.js";
import { JWKS_PATH } from "./jwks-route.js";
import { newSigningKey, signerOf } from "./signing-keys.js";
import { bearerAuthenticator, tokenVerifier, type VerifyToken } from "./verifier.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { freePort, until } from "../../platform/processes.testing.js";

const lines: string[] = [];
const log = pino(
  { level: "trace" },
  new Writable({
    write(chunk: Buffer, _enc, done) {
      lines.push(chunk.toString());
      done();
    },
  }),
);
let f: IdentityFixture;
let tracing: Tracing;
let server: RunningServer;
let identity: Client<typeof IdentityService>;
let verify: VerifyToken;
const ctx = backgroundContext({ log: pino({ level: "silent" }) });

test.before(async () => {
  f = await identityFixture();
  tracing = createTracing({ serviceName: "identity" });
  server = await serveIdentity(f, { log, tracer: tracing.tracer });
  identity = clientOf(IdentityService, connectTransport(server.url));
  verify = tokenVerifier({ jwksUrl: new URL(JWKS_PATH, server.url) });
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
  await f?.close();
});

test("a remote key set is fetched as soon as the verifier exists: the first verification does not wait for it", async () => {
  const jwks = await (await fetch(new URL(JWKS_PATH, server.url))).text();
  let served = 0;
  const counting: Server = createServer((_req, res) => {
    served++;
    res.writeHead(200, { "content-type": "application/json" });
    res.end(jwks);
  });
  await new Promise<void>((resolve) => counting.listen(0, "127.0.0.1", resolve));
  try {
    const eager = tokenVerifier({ jwksUrl: `http://127.0.0.1:${(counting.address() as AddressInfo).port}/jwks.json` });
    await until("the keys fetched before any call", () => (served === 1 ? true : undefined));
    const { customerId, tokens } = await f.signedUp("prefetch@example.com", "prefetch-password-1");
    assert.is((await eager(tokens.accessToken)).id, customerId);
    assert.is(served, 1, "the first verification used the keys fetched in advance");
  } finally {
    counting.close();
  }
});

test("identity's replicas: the keys come from whichever answers, a replica that cannot be reached passes the turn", async () => {
  const gone = `http://127.0.0.1:${await freePort()}`;
  const either = tokenVerifier({ jwksUrl: [new URL(JWKS_PATH, gone), new URL(JWKS_PATH, server.url)] });
  const { customerId, tokens } = await f.signedUp("replicas@example.com", "replicas-password-1");
  assert.is((await either(tokens.accessToken)).id, customerId);
  const forged = `${tokens.accessToken.slice(0, -4)}AAAA`;
  assert.is((await failure(either(forged))).code, Code.Unauthenticated, "an answer (a bad signature) is not passed on to the next replica");
});

const EMAIL = "Hopper@Example.com";
const PASSWORD = "cobol-rules-forever";

test("the JWKS endpoint serves the public key set over plain HTTP", async () => {
  const res = await fetch(new URL(JWKS_PATH, server.url));
  assert.is(res.status, 200);
  const set = (await res.json()) as { keys: { kid: string; d?: string }[] };
  assert.equal(set.keys.map((k) => k.kid), [f.signer.kid]);
  assert.is(set.keys[0]!.d, undefined);
});

test("sign-up, its link, sign-in over Connect; the access token verifies with keys fetched from the server", async () => {
  await identity.signUp(ctx, { email: EMAIL, password: PASSWORD, displayName: "Grace Hopper" });
  const up = await identity.verifyEmail(ctx, { token: await f.linkToken(EMAIL.toLowerCase()) });
  const inn = await identity.signIn(ctx, { email: EMAIL, password: PASSWORD });
  const principal = await verify(inn.tokens!.accessToken);
  assert.equal(principal, { kind: "customer", id: up.customerId, roles: ["customer"], token: inn.tokens!.accessToken });

  const refreshed = await identity.refresh(ctx, { refreshToken: inn.tokens!.refreshToken });
  assert.is((await verify(refreshed.tokens!.accessToken)).id, up.customerId);
});

test("over the wire, wrong password and unknown e-mail keep their code; a duplicate sign-up answers as a new one", async () => {
  const wrong = await failure(identity.signIn(ctx, { email: EMAIL, password: "wrong password!" }));
  const unknown = await failure(identity.signIn(ctx, { email: "nobody@example.com", password: PASSWORD }));
  assert.is(wrong.code, Code.Unauthenticated);
  assert.is(unknown.code, Code.Unauthenticated);
  assert.is(wrong.message, unknown.message);
  assert.equal(await identity.signUp(ctx, { email: EMAIL, password: PASSWORD, displayName: "Again" }), create(SignUpResponseSchema));
});

test("an expired token is Unauthenticated", async () => {
  const anHourAgo = new Date(Date.now() - 3600_000);
  const past = await f.clientAt(() => anHourAgo).signIn(ctx, { email: EMAIL, password: PASSWORD });
  const e = await failure(verify(past.tokens!.accessToken));
  assert.is(e.code, Code.Unauthenticated);
  assert.match(e.message, /expired/);
});

test("a token signed by another key, even with the right kid, is Unauthenticated", async () => {
  const other = await newSigningKey(new Date());
  const unknownKid = await signerOf(other, [other]);
  const e1 = await failure(verify(await unknownKid.sign({ sub: "someone", roles: ["admin"] }, new Date(), 900)));
  assert.is(e1.code, Code.Unauthenticated);

  const forged = await signerOf({ ...other, kid: f.signer.kid }, []);
  const e2 = await failure(verify(await forged.sign({ sub: "someone", roles: ["admin"] }, new Date(), 900)));
  assert.is(e2.code, Code.Unauthenticated);
  assert.match(e2.message, /signature/);
});

test("a token for another audience, a malformed token and no token are Unauthenticated", async () => {
  const inn = await identity.signIn(ctx, { email: EMAIL, password: PASSWORD });
  const otherAudience = tokenVerifier({ getKeys: async () => f.signer.jwks, audience: "somebody-else" });
  assert.is((await failure(otherAudience(inn.tokens!.accessToken))).code, Code.Unauthenticated);
  const [h, p] = inn.tokens!.accessToken.split(".");
  for (const bad of ["", "not-a-jwt", `${h}.${p}.`, `${h}.${p}`]) {
    assert.is((await failure(verify(bad))).code, Code.Unauthenticated, JSON.stringify(bad));
  }
});

test("getKeys verifier: caches the set and refetches once when it meets an unknown kid (rotation)", async () => {
  let fetches = 0;
  let jwks = { keys: [] as typeof f.signer.jwks.keys };
  const v = tokenVerifier({ getKeys: async () => (fetches++, jwks), cooldownMs: 0 });
  const inn = await identity.signIn(ctx, { email: EMAIL, password: PASSWORD });
  assert.is((await failure(v(inn.tokens!.accessToken))).code, Code.Unauthenticated);
  jwks = f.signer.jwks; // the key appears (rotated in)
  assert.is((await v(inn.tokens!.accessToken)).id, (await verify(inn.tokens!.accessToken)).id);
  const before = fetches;
  await v(inn.tokens!.accessToken);
  assert.is(fetches, before, "a known kid is served from the cache");
});

test("a verified token is taken as verified for verifiedMs without its signature checked again, never past its expiry", async () => {
  let fetches = 0;
  let jwks = f.signer.jwks;
  let now = new Date();
  const v = tokenVerifier({ getKeys: async () => (fetches++, jwks), cacheMs: 0, cooldownMs: 0, verifiedMs: 1_000, now: () => now });
  const token = (await identity.signIn(ctx, { email: EMAIL, password: PASSWORD })).tokens!.accessToken;
  const id = (await v(token)).id;
  jwks = { keys: [] }; // the signing key withdrawn
  const fetched = fetches;
  now = new Date(now.getTime() + 500);
  assert.is((await v(token)).id, id, "within verifiedMs: from memory");
  assert.is(fetches, fetched, "no key was looked up");
  now = new Date(now.getTime() + 1_000);
  assert.is((await failure(v(token))).code, Code.Unauthenticated, "after verifiedMs: checked again, and the key is gone");

  jwks = f.signer.jwks;
  const long = tokenVerifier({ getKeys: async () => jwks, verifiedMs: 24 * 3600_000, now: () => now });
  await long(token);
  now = new Date(now.getTime() + 3600_000);
  assert.match((await failure(long(token))).message, /expired/, "never past the token's expiry");
});

test("bearerAuthenticator: no header → no principal; Bearer → principal; other schemes and bad tokens → Unauthenticated", async () => {
  const authenticate = bearerAuthenticator(verify);
  const inn = await identity.signIn(ctx, { email: EMAIL, password: PASSWORD });
  assert.is(await authenticate(undefined), undefined);
  assert.is((await authenticate(`Bearer ${inn.tokens!.accessToken}`))?.id, inn.customerId);
  assert.is((await failure(authenticate(`Basic ${inn.tokens!.accessToken}`))).code, Code.Unauthenticated);
  assert.is((await failure(authenticate("Bearer nonsense"))).code, Code.Unauthenticated);
});

test("no log line holds an e-mail address, a password or a link token, even for failed calls", async () => {
  await failure(identity.signUp(ctx, { email: "Secret.Person@Example.com", password: "short", displayName: "X" }));
  await failure(identity.signIn(ctx, { email: "secret.person@example.com", password: "secret-password-123" }));
  await identity.signUp(ctx, { email: "Secret.Person@Example.com", password: "secret-password-123", displayName: "X" });
  await failure(identity.signIn(ctx, { email: "secret.person@example.com", password: "secret-password-123" }));
  const link = await f.linkToken("secret.person@example.com");
  await identity.verifyEmail(ctx, { token: link });
  await failure(identity.verifyEmail(ctx, { token: link }));
  const all = lines.join("").toLowerCase();
  assert.ok(lines.length >= 10, `the server logged its calls (${lines.length} lines)`);
  for (const secret of ["hopper@example.com", PASSWORD, "secret.person@example.com", "secret-password-123", "cobol", link]) {
    assert.not.ok(all.includes(secret.toLowerCase()), `the logs mention ${secret}`);
  }
});

test.run();
