// testTokens, the stand-in for identity in other services' tests: its
// principals verify through its own authenticate exactly as identity's do
// (kind, id, token), and a foreign, expired or another instance's token is
// refused with Unauthenticated.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { testTokens, type TestTokens } from "./testing.js";

let auth: TestTokens;
test.before(async () => {
  auth = await testTokens();
});

test("customer and service principals carry signed tokens that authenticate as themselves", async () => {
  const customer = await auth.customer("c-1");
  assert.equal({ ...customer, token: undefined }, { kind: "customer", id: "c-1", roles: [], token: undefined });
  assert.equal(await auth.authenticate(`Bearer ${customer.token}`), customer);
  const service = await auth.service("booking");
  assert.equal(await auth.authenticate(`Bearer ${service.token}`), { kind: "service", id: "booking", roles: [], token: service.token });
  assert.is(await auth.authenticate(undefined), undefined, "no header: no principal");
});

test("a token signed by a foreign key (with the trusted kid) is Unauthenticated", async () => {
  const e = await kitRejection(auth.authenticate(`Bearer ${await auth.foreignToken("c-1")}`));
  assert.is(e.code, Code.Unauthenticated);
  assert.match(e.message, /signature/);
});

test("an expired token is Unauthenticated", async () => {
  const expired = await auth.customer("c-1", -60);
  const e = await kitRejection(auth.authenticate(`Bearer ${expired.token}`));
  assert.is(e.code, Code.Unauthenticated);
  assert.match(e.message, /expired/);
  assert.is((await kitRejection(auth.authenticate(`Bearer ${(await auth.service("booking", -1)).token}`))).code, Code.Unauthenticated);
});

test("another testTokens() has its own key: its tokens are strangers here", async () => {
  const other = await testTokens();
  const e = await kitRejection(auth.authenticate(`Bearer ${(await other.service("booking")).token}`));
  assert.is(e.code, Code.Unauthenticated);
});

test.run();
