// Identity on real PostgreSQL through the kit: sign-up confirmed by its link
// (signup.test.ts has the rest of that), sign-in with one generic failure
// message, refresh-token rotation, key
// persistence, what the database keeps (hashes, not secrets), service
// tokens for each service's own credential only, and customers' contact details.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { decodeJwt, decodeProtectedHeader } from "jose";
import { SignUpResponseSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { Code } from "../../endpoints/errors.js";
import { identityFixture, testServiceSecret, type IdentityFixture } from "./fixture.js";
import { BAD_CREDENTIALS, BAD_REFRESH_TOKEN, BAD_SERVICE_SECRET, SERVICE_TTL_SECONDS } from "./service.js";
import { loadSigner } from "./signing-keys.js";
import { tokenVerifier } from "./verifier.js";
import { kitRejection as failure } from "../../endpoints/testing.js";

let f: IdentityFixture;
test.before(async () => {
  f = await identityFixture();
});
test.after(async () => {
  await f?.close();
});

const PASSWORD = "correct horse battery";

test("following the sign-up's link signs in; sign-in with the same e-mail, differently written, gives the same customer", async () => {
  assert.equal(await f.client.signUp(f.ctx, { email: "  Ada@Example.COM ", password: PASSWORD, displayName: "Ada" }), create(SignUpResponseSchema));
  const up = await f.client.verifyEmail(f.ctx, { token: await f.linkToken("ada@example.com") });
  assert.match(up.customerId, /^[0-9a-f-]{36}$/);
  const claims = decodeJwt(up.tokens!.accessToken);
  assert.is(claims.sub, up.customerId);
  assert.is(claims.iss, "itinera-identity");
  assert.is(claims.aud, "itinera");
  assert.equal(claims.roles, ["customer"]);
  assert.is(claims.exp! - claims.iat!, 15 * 60);
  assert.is(decodeProtectedHeader(up.tokens!.accessToken).alg, "EdDSA");
  assert.is(decodeProtectedHeader(up.tokens!.accessToken).kid, f.signer.kid);

  const inn = await f.client.signIn(f.ctx, { email: "ada@example.com", password: PASSWORD });
  assert.is(inn.customerId, up.customerId);
  assert.is.not(inn.tokens!.refreshToken, up.tokens!.refreshToken);
});

test("the database keeps the normalised e-mail, an scrypt hash and hashed refresh and link tokens, never the secrets", async () => {
  const up = await f.signedUp("Grace@Example.com", PASSWORD, "Grace");
  const row = await f.database.knex("customers").where({ customer_id: up.customerId }).first();
  assert.is(row.email, "grace@example.com");
  assert.match(row.password_hash, /^scrypt\$32768\$8\$1\$[\w-]{22}\$[\w-]{43}$/);
  assert.not.ok(String(row.password_hash).includes(PASSWORD));
  const tokens = await f.database.knex("refresh_tokens").where({ customer_id: up.customerId });
  assert.is(tokens.length, 1);
  assert.not.equal(Buffer.from(tokens[0].token_hash).toString("base64url"), up.tokens.refreshToken);
  const links = await f.database.knex("email_verifications").where({ customer_id: up.customerId });
  assert.is(links.length, 1);
  assert.not.equal(Buffer.from(links[0].token_hash).toString("base64url"), await f.linkToken("grace@example.com"));
});

test("wrong password and unknown e-mail fail alike: Unauthenticated, one message naming neither", async () => {
  await f.signedUp("barbara@example.com", PASSWORD, "Barbara");
  const wrongPassword = await failure(f.client.signIn(f.ctx, { email: "barbara@example.com", password: "not the password" }));
  const unknownEmail = await failure(f.client.signIn(f.ctx, { email: "nobody@example.com", password: PASSWORD }));
  for (const e of [wrongPassword, unknownEmail]) {
    assert.is(e.code, Code.Unauthenticated);
    assert.is(e.message, BAD_CREDENTIALS);
  }
});

test("sign-up validates every field at once, naming fields and never their values", async () => {
  const e = await failure(f.client.signUp(f.ctx, { email: "not-an-email", password: "short", displayName: " " }));
  assert.is(e.code, Code.InvalidArgument);
  assert.equal(e.violations.map((v) => `${v.field}:${v.rule}`).sort(), ["display_name:required", "email:pattern", "password:min_len"]);
  assert.not.ok(JSON.stringify({ m: e.message, v: e.violations }).includes("not-an-email"));
  assert.not.ok(JSON.stringify({ m: e.message, v: e.violations }).includes("short"));
});

test("refresh rotates: each new refresh token works once; a used one is refused (and revokes its family: sessions.test.ts)", async () => {
  const up = await f.signedUp("ken@example.com", PASSWORD, "Ken");
  const first = up.tokens.refreshToken;
  const r1 = await f.client.refresh(f.ctx, { refreshToken: first });
  assert.is(r1.customerId, up.customerId);
  assert.is(decodeJwt(r1.tokens!.accessToken).sub, up.customerId);
  assert.is.not(r1.tokens!.refreshToken, first);
  const r2 = await f.client.refresh(f.ctx, { refreshToken: r1.tokens!.refreshToken });
  assert.is(r2.customerId, up.customerId);

  const reused = await failure(f.client.refresh(f.ctx, { refreshToken: first }));
  assert.is(reused.code, Code.Unauthenticated);
  assert.is(reused.message, BAD_REFRESH_TOKEN);
  const unknown = await failure(f.client.refresh(f.ctx, { refreshToken: "made-up-token" }));
  assert.is(unknown.code, Code.Unauthenticated);
});

test("the signing key is created once and reloaded on the next start; GetJwks lists it", async () => {
  const again = await loadSigner(f.store);
  assert.is(again.kid, f.signer.kid);
  const jwks = await f.client.getJwks(f.ctx, {});
  assert.equal(jwks.keyIds, [f.signer.kid]);
  const set = JSON.parse(jwks.jwksJson) as { keys: Record<string, unknown>[] };
  assert.is(set.keys.length, 1);
  assert.is(set.keys[0]!.kty, "OKP");
  assert.is(set.keys[0]!.crv, "Ed25519");
  assert.is(set.keys[0]!.kid, f.signer.kid);
  assert.not.ok("d" in set.keys[0]!, "no private part in the public set");
});

test("IssueServiceToken: a service's own secret gives a token that verifies as that service", async () => {
  const res = await f.client.issueServiceToken(f.ctx, { serviceName: "booking", secret: testServiceSecret("booking") });
  assert.is(res.expiresInSeconds, SERVICE_TTL_SECONDS);
  const verify = tokenVerifier({ getKeys: async () => f.signer.jwks });
  assert.equal(await verify(res.accessToken), { kind: "service", id: "booking", roles: [], token: res.accessToken });
  const claims = decodeJwt(res.accessToken);
  assert.is(claims.exp! - claims.iat!, SERVICE_TTL_SECONDS);
});

test("IssueServiceToken: one service's credential never gets another's token (the mailer's asking for booking)", async () => {
  const e = await failure(f.client.issueServiceToken(f.ctx, { serviceName: "booking", secret: testServiceSecret("mailer") }));
  assert.is(e.code, Code.PermissionDenied);
  assert.is(e.message, "this is the credential of the mailer service, not of booking: each service asks for its own token with its own SERVICE_SECRET");
  assert.not.ok(e.message.includes(testServiceSecret("mailer")), "no secret in a message");
  const own = await f.client.issueServiceToken(f.ctx, { serviceName: "mailer", secret: testServiceSecret("mailer") });
  assert.is(decodeJwt(own.accessToken).sub, "mailer");
});

test("IssueServiceToken: a secret of no service, or one for a service identity does not know, is Unauthenticated", async () => {
  for (const [serviceName, secret] of [["booking", `${testServiceSecret("booking")}x`], ["intruder", testServiceSecret("intruder")]] as const) {
    const e = await failure(f.client.issueServiceToken(f.ctx, { serviceName, secret }));
    assert.is(e.code, Code.Unauthenticated, serviceName);
    assert.is(e.message, BAD_SERVICE_SECRET);
  }
});

test("IssueServiceToken: a bad service name or no secret is InvalidArgument", async () => {
  const wrong = await failure(f.client.issueServiceToken(f.ctx, { serviceName: "booking", secret: `${testServiceSecret("booking")}x` }));
  for (const serviceName of ["Booking", "booking service", "", "x".repeat(65)]) {
    const e = await failure(f.client.issueServiceToken(f.ctx, { serviceName, secret: testServiceSecret("booking") }));
    assert.is(e.code, Code.InvalidArgument, JSON.stringify(serviceName));
    assert.equal(e.violations.map((v) => v.field), ["service_name"], JSON.stringify(serviceName));
  }
  const none = await failure(f.client.issueServiceToken(f.ctx, { serviceName: "booking", secret: "" }));
  assert.equal(none.violations.map((v) => `${v.field}:${v.rule}`), ["secret:required"]);
  assert.not.ok(JSON.stringify([wrong.message, none.message]).includes(testServiceSecret("booking")), "no secret in a message");
});

test("GetCustomer: the customer's contact details; an unknown or malformed id is NotFound", async () => {
  const up = await f.signedUp(" Alan@Example.com", PASSWORD, "Alan");
  const got = await f.client.getCustomer(f.ctx, { customerId: up.customerId });
  assert.equal([got.customerId, got.email, got.displayName], [up.customerId, "alan@example.com", "Alan"]);
  for (const customerId of ["00000000-0000-4000-8000-000000000000", "not-a-uuid", "'; drop table customers; --"]) {
    const e = await failure(f.client.getCustomer(f.ctx, { customerId }));
    assert.is(e.code, Code.NotFound, customerId);
    assert.is(e.message, "no such customer");
  }
  assert.is((await failure(f.client.getCustomer(f.ctx, { customerId: "" }))).code, Code.InvalidArgument);
});

test.run();
