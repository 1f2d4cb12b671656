// Sign-up does not tell whether an address has an account (issue 9), on real
// PostgreSQL with the real bus: the answer is the same either way, the e-mail
// (an event for the mailer, in the sign-up's transaction) tells the address's
// owner; the link confirms the address, is single use and expires; an
// unconfirmed account cannot sign in; and a second sign-up for an
// unconfirmed address cannot set the password of the account its owner
// confirms with the first link.
import { create } from "@bufbuild/protobuf";
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { SignUpResponseSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { identityFixture, type IdentityFixture } from "./fixture.js";
import { BAD_CREDENTIALS, BAD_VERIFICATION_LINK, UNVERIFIED, VERIFICATION_TTL_SECONDS } from "./service.js";

let f: IdentityFixture;
test.before(async () => {
  f = await identityFixture();
});
test.after(async () => {
  await f?.close();
});

const PASSWORD = "correct horse battery";
const EMPTY = create(SignUpResponseSchema);

test("a new address and a registered one get the same answer; the owner of the registered one is told, nothing else changes", async () => {
  const owner = await f.signedUp("registered@example.com", PASSWORD, "Owner");
  const before = await f.database.knex("customers").where({ customer_id: owner.customerId }).first();
  const eventsBefore = (await f.accountEvents()).length;

  const fresh = await f.client.signUp(f.ctx, { email: "fresh@example.com", password: "another long password", displayName: "Fresh" });
  const taken = await f.client.signUp(f.ctx, { email: " Registered@Example.com", password: "an attacker's password", displayName: "Mallory" });
  assert.equal(fresh, EMPTY);
  assert.equal(taken, EMPTY);

  const events = (await f.accountEvents()).slice(eventsBefore);
  assert.equal(
    events.map((e) => e.event.case),
    ["emailVerificationRequested", "signUpForExistingAccount"],
  );
  const told = events[1]!.event.value as { customerId: string; attemptId: string };
  assert.is(told.customerId, owner.customerId);
  assert.match(told.attemptId, /^[0-9a-f-]{36}$/);
  // The account is as it was: same password, same name.
  assert.equal(await f.database.knex("customers").where({ customer_id: owner.customerId }).first(), before);
  assert.ok(await f.client.signIn(f.ctx, { email: "registered@example.com", password: PASSWORD }));
});

test("the link: confirms the address and signs in once; a second use, a made-up or an expired link are refused", async () => {
  await f.client.signUp(f.ctx, { email: "linus.t@example.com", password: PASSWORD, displayName: "Linus" });
  const token = await f.linkToken("linus.t@example.com");
  const event = (await f.accountEvents()).at(-1)!.event.value as { expireTime: Parameters<typeof timestampDate>[0] };
  const ttl = timestampDate(event.expireTime).getTime() - Date.now();
  assert.ok(ttl > (VERIFICATION_TTL_SECONDS - 60) * 1000 && ttl <= VERIFICATION_TTL_SECONDS * 1000, "the link lives 24 hours");

  const inn = await f.client.verifyEmail(f.ctx, { token });
  assert.ok(inn.tokens?.accessToken);
  for (const bad of [token, "made-up-link-token"]) {
    const e = await failure(f.client.verifyEmail(f.ctx, { token: bad }));
    assert.is(e.code, Code.Unauthenticated);
    assert.is(e.message, BAD_VERIFICATION_LINK);
  }
  assert.is((await failure(f.client.verifyEmail(f.ctx, { token: "" }))).code, Code.InvalidArgument);

  const longAgo = new Date(Date.now() - (VERIFICATION_TTL_SECONDS + 60) * 1000);
  await f.clientAt(() => longAgo).signUp(f.ctx, { email: "late@example.com", password: PASSWORD, displayName: "Late" });
  const expired = await failure(f.client.verifyEmail(f.ctx, { token: await f.linkToken("late@example.com") }));
  assert.is(expired.code, Code.Unauthenticated);
});

test("an unconfirmed account cannot sign in: the right password hears to confirm first, a wrong one the usual answer", async () => {
  await f.client.signUp(f.ctx, { email: "waiting@example.com", password: PASSWORD, displayName: "Waiting" });
  const right = await failure(f.client.signIn(f.ctx, { email: "waiting@example.com", password: PASSWORD }));
  assert.is(right.code, Code.FailedPrecondition);
  assert.is(right.message, UNVERIFIED);
  const wrong = await failure(f.client.signIn(f.ctx, { email: "waiting@example.com", password: "not the password" }));
  assert.equal([wrong.code, wrong.message], [Code.Unauthenticated, BAD_CREDENTIALS]);
  await f.client.verifyEmail(f.ctx, { token: await f.linkToken("waiting@example.com") });
  assert.ok(await f.client.signIn(f.ctx, { email: "waiting@example.com", password: PASSWORD }));
});

test("two sign-ups for an unconfirmed address: each link carries its own password; following one spends the other", async () => {
  await f.client.signUp(f.ctx, { email: "victim@example.com", password: PASSWORD, displayName: "Victim" });
  const owners = await f.linkToken("victim@example.com");
  await f.client.signUp(f.ctx, { email: "victim@example.com", password: "the squatter's password", displayName: "Squatter" });
  const squatters = await f.linkToken("victim@example.com");
  assert.is.not(squatters, owners);

  const confirmed = await f.client.verifyEmail(f.ctx, { token: owners });
  assert.ok(await f.client.signIn(f.ctx, { email: "victim@example.com", password: PASSWORD }));
  const squatter = await failure(f.client.signIn(f.ctx, { email: "victim@example.com", password: "the squatter's password" }));
  assert.is(squatter.code, Code.Unauthenticated);
  assert.is((await f.client.getCustomer(f.ctx, { customerId: confirmed.customerId })).displayName, "Victim");
  assert.is((await failure(f.client.verifyEmail(f.ctx, { token: squatters }))).code, Code.Unauthenticated);
});

test("concurrent sign-ups of one new address: one customer, a link per sign-up, all answered alike", async () => {
  const answers = await Promise.all(
    Array.from({ length: 4 }, () => f.client.signUp(f.ctx, { email: "rush@example.com", password: PASSWORD, displayName: "Rush" })),
  );
  assert.equal(answers, Array(4).fill(EMPTY));
  assert.is((await f.database.knex("customers").where({ email: "rush@example.com" })).length, 1);
  const customer = await f.store.customerByEmail("rush@example.com");
  assert.is((await f.database.knex("email_verifications").where({ customer_id: customer!.customerId })).length, 4);
});

test("a sign-up that fails publishes nothing and stores nothing", async () => {
  const before = [(await f.accountEvents()).length, (await f.database.knex("customers")).length];
  await failure(f.client.signUp(f.ctx, { email: "x".repeat(250) + "@example.com", password: PASSWORD, displayName: "Long" }));
  await failure(f.client.signUp(f.ctx, { email: "short@example.com", password: "short", displayName: "Short" }));
  assert.equal([(await f.accountEvents()).length, (await f.database.knex("customers")).length], before);
});

test.run();
