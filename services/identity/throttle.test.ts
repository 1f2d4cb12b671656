// The sign-in and service-token throttle on real PostgreSQL, with a clock the
// test moves: blocks after the free failures with a retry-after, doubles,
// lets the right password in after the wait, keys by account and by address
// (the forwarded address only from the `web` service), forgives what was not
// a wrong credential, and counts guesses sent all at once; sign-ups count per
// address written to, since each sends it an e-mail.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive } from "../../endpoints/context.js";
import { Code, failedPrecondition, permissionDenied, unauthenticated, unavailable } from "../../endpoints/errors.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { identityFixture, testServiceSecret, type IdentityFixture } from "./fixture.js";
import type { ThrottleRow } from "./store.js";
import { admit, forgive, Throttle, type ThrottlePolicies } from "./throttle.js";

const POLICY = { freeFailures: 3, baseBlockMs: 10_000, maxBlockMs: 40_000, forgetAfterMs: 600_000 };
const POLICIES: ThrottlePolicies = { account: POLICY, address: { ...POLICY, freeFailures: 6 }, service: POLICY, signUp: POLICY };
const PASSWORD = "correct horse battery";

let f: IdentityFixture;
// A day ahead of the real clock: counters the fixture's real-clock client writes (f.signedUp counts a
// sign-up) are a day old to this clock, so never "fresh". A fixed date broke this file once real
// time came within the counters' memory (10 minutes) of it.
let clock = Date.now() + 24 * 60 * 60 * 1000;
const at = () => new Date(clock);
test.before(async () => {
  f = await identityFixture({ throttle: POLICIES });
});
test.after(async () => {
  await f?.close();
});

const from = (address: string) => derive(f.ctx, { clientAddress: address });

test("admit and forgive: free failures, then a block that doubles up to the maximum; forgiving lifts it", () => {
  const now = new Date(0);
  let row: ThrottleRow | undefined;
  const blocks: (number | null)[] = [];
  for (let i = 0; i < 6; i++) {
    const a = admit(row, POLICY, new Date(i * 100_000));
    assert.ok("row" in a);
    row = a.row;
    blocks.push(row.blockedUntil ? row.blockedUntil.getTime() - i * 100_000 : null);
  }
  assert.equal(blocks, [null, null, 10_000, 20_000, 40_000, 40_000]);
  assert.equal(admit(row!, POLICY, new Date(5 * 100_000 + 1_000)), { waitMs: 39_000 });
  assert.is(forgive({ failures: 1, blockedUntil: null, updateTime: now }, POLICY, now), null);
  assert.equal(forgive({ failures: 3, blockedUntil: new Date(5), updateTime: now }, POLICY, now), { failures: 2, blockedUntil: null, updateTime: now });
  // Untouched long enough: counting starts again.
  assert.equal(admit({ failures: 9, blockedUntil: null, updateTime: now }, POLICY, new Date(600_000)), {
    row: { failures: 1, blockedUntil: null, updateTime: new Date(600_000) },
  });
});

test("sign-in per account: after the free failures RESOURCE_EXHAUSTED with the wait; after the wait the right password works", async () => {
  const id = f.clientAt(at);
  await f.signedUp("ada.l@example.com", PASSWORD);
  for (let i = 0; i < 3; i++) {
    assert.is((await failure(id.signIn(from(`10.0.0.${i}`), { email: "ada.l@example.com", password: "wrong password" }))).code, Code.Unauthenticated);
  }
  // From yet another address, even with the right password: the account is blocked.
  const blocked = await failure(id.signIn(from("10.0.0.9"), { email: " ADA.L@example.com", password: PASSWORD }));
  assert.is(blocked.code, Code.ResourceExhausted);
  assert.is(blocked.retryAfterMs, 10_000);
  assert.is(blocked.message, "Too many failed sign-ins: please wait 10 seconds and try again.");
  clock += 10_000;
  const ok = await id.signIn(from("10.0.0.9"), { email: "ada.l@example.com", password: PASSWORD });
  assert.ok(ok.tokens?.accessToken);
  // Success cleared the account's counter: a typo now is one failure again, not a block.
  assert.is((await failure(id.signIn(from("10.0.0.9"), { email: "ada.l@example.com", password: "typo password" }))).code, Code.Unauthenticated);
  assert.ok(await id.signIn(from("10.0.0.9"), { email: "ada.l@example.com", password: PASSWORD }));
});

test("unknown addresses are throttled exactly like known ones (the answer does not tell them apart)", async () => {
  const id = f.clientAt(at);
  for (let i = 0; i < 3; i++) await failure(id.signIn(from(`10.1.0.${i}`), { email: "nobody.here@example.com", password: "wrong password" }));
  const e = await failure(id.signIn(from("10.1.0.9"), { email: "nobody.here@example.com", password: "wrong password" }));
  assert.is(e.code, Code.ResourceExhausted);
  assert.is(e.retryAfterMs, 10_000);
});

test("sign-in per address: many accounts guessed from one address block that address, not others", async () => {
  const id = f.clientAt(at);
  await f.signedUp("grace.h@example.com", PASSWORD);
  for (let i = 0; i < 6; i++) await failure(id.signIn(from("192.0.2.66"), { email: `victim${i}@example.com`, password: "guess number one" }));
  const e = await failure(id.signIn(from("192.0.2.66"), { email: "grace.h@example.com", password: PASSWORD }));
  assert.is(e.code, Code.ResourceExhausted);
  assert.ok(await id.signIn(from("192.0.2.67"), { email: "grace.h@example.com", password: PASSWORD }));
});

test("the address the web service forwards is honoured; the same field from anyone else is ignored", async () => {
  const id = f.clientAt(at);
  const web = derive(from("127.0.0.1"), { principal: { kind: "service", id: "web", roles: [] } });
  const other = derive(from("198.51.100.1"), { principal: { kind: "service", id: "search", roles: [] } });
  for (let i = 0; i < 6; i++) await failure(id.signIn(web, { email: `w${i}@example.com`, password: "guess number two", clientAddress: "203.0.113.5" }));
  // The browser's address is blocked through the BFF…
  assert.is((await failure(id.signIn(web, { email: "w9@example.com", password: "x".repeat(12), clientAddress: "203.0.113.5" }))).code, Code.ResourceExhausted);
  // …but not the BFF's own address, nor another browser behind it.
  assert.is((await failure(id.signIn(web, { email: "w9@example.com", password: "x".repeat(12), clientAddress: "203.0.113.6" }))).code, Code.Unauthenticated);
  // A caller that is not `web` naming the blocked address is judged by its own address: not blocked.
  assert.is((await failure(id.signIn(other, { email: "w9@example.com", password: "x".repeat(12), clientAddress: "203.0.113.5" }))).code, Code.Unauthenticated);
  // And cannot get another address blocked by naming it.
  for (let i = 0; i < 6; i++) await failure(id.signIn(other, { email: `o${i}@example.com`, password: "guess number three", clientAddress: "203.0.113.7" }));
  assert.is((await failure(id.signIn(web, { email: "w9@example.com", password: "x".repeat(12), clientAddress: "203.0.113.7" }))).code, Code.Unauthenticated);
});

test("guesses sent all at once are each counted before the password is checked", async () => {
  const id = f.clientAt(at);
  await f.signedUp("hedy@example.com", PASSWORD);
  const results = await Promise.allSettled(
    Array.from({ length: 12 }, (_, i) => id.signIn(from(`10.2.0.${i}`), { email: "hedy@example.com", password: `guess ${i} for hedy` })),
  );
  const codes = results.map((r) => (r.status === "rejected" ? (r.reason as { code: Code }).code : 0));
  assert.is(codes.filter((c) => c === Code.Unauthenticated).length, 3, JSON.stringify(codes));
  assert.is(codes.filter((c) => c === Code.ResourceExhausted).length, 9);
});

test("invalid requests are not counted: they never reach the throttle", async () => {
  const id = f.clientAt(at);
  for (let i = 0; i < 10; i++) assert.is((await failure(id.signIn(from("10.3.0.1"), { email: "alan.t@example.com", password: "" }))).code, Code.InvalidArgument);
  await f.signedUp("alan.t@example.com", PASSWORD);
  assert.ok(await id.signIn(from("10.3.0.1"), { email: "alan.t@example.com", password: PASSWORD }));
});

test("IssueServiceToken per service name: wrong secrets block that name only; after the wait the right secret works", async () => {
  const id = f.clientAt(at);
  for (let i = 0; i < 3; i++) await failure(id.issueServiceToken(f.ctx, { serviceName: "wallet", secret: `guess-${i}` }));
  const e = await failure(id.issueServiceToken(f.ctx, { serviceName: "wallet", secret: testServiceSecret("wallet") }));
  assert.is(e.code, Code.ResourceExhausted);
  assert.is(e.retryAfterMs, 10_000);
  assert.match(e.message, /service-token requests for "wallet"/);
  assert.ok(await id.issueServiceToken(f.ctx, { serviceName: "booking", secret: testServiceSecret("booking") }));
  clock += 10_000;
  assert.ok(await id.issueServiceToken(f.ctx, { serviceName: "wallet", secret: testServiceSecret("wallet") }));
});

test("what counts: a wrong credential (UNAUTHENTICATED, PERMISSION_DENIED) stays counted; any other failure is forgiven", async () => {
  const throttle = new Throttle(f.store, at, POLICIES);
  const keys = throttle.serviceKeys("counting");
  const fail = (e: Error) => () => Promise.reject(e);
  for (let i = 0; i < 5; i++) await failure(throttle.run(f.ctx, keys, "tries", fail(unavailable("down"))));
  await failure(throttle.run(f.ctx, keys, "tries", fail(failedPrecondition("not yet"))));
  assert.ok(await throttle.run(f.ctx, keys, "tries", async () => "still admitted"));
  await failure(throttle.run(f.ctx, keys, "tries", fail(unauthenticated("wrong secret"))));
  await failure(throttle.run(f.ctx, keys, "tries", fail(permissionDenied("another service's secret"))));
  await failure(throttle.run(f.ctx, keys, "tries", fail(unauthenticated("wrong secret"))));
  const e = await failure(throttle.run(f.ctx, keys, "tries", async () => "blocked before it runs"));
  assert.is(e.code, Code.ResourceExhausted);
});

test("sign-up per address written to: each sends an e-mail, so after the free ones RESOURCE_EXHAUSTED, nothing sent; other addresses go on", async () => {
  const id = f.clientAt(at);
  const signUp = (email: string) => id.signUp(f.ctx, { email, password: PASSWORD, displayName: "Grace" });
  const sent = async () => (await f.accountEvents()).length;
  const before = await sent();
  for (let i = 0; i < 3; i++) assert.ok(await signUp("grace.h@example.com"));
  // The same address however written, whether or not it has an account: the answer tells nothing about it.
  const blocked = await failure(signUp(" GRACE.H@example.com"));
  assert.is(blocked.code, Code.ResourceExhausted);
  assert.is(blocked.message, "Too many sign-ups for this address: please wait 10 seconds and try again.");
  assert.is(blocked.retryAfterMs, 10_000);
  assert.is(await sent(), before + 3, "the refused sign-up e-mailed nobody");
  assert.ok(await signUp("someone.else@example.com"));
  assert.is((await failure(signUp("grace.h@example.com"))).code, Code.ResourceExhausted);
  clock += 10_000;
  assert.ok(await signUp("grace.h@example.com"));
  assert.is(await sent(), before + 5);
});

test("the throttle table holds digests, never an e-mail address or a client address", async () => {
  const keys = (await f.database.knex("throttles").select("key")).map((r: { key: string }) => r.key);
  assert.ok(keys.length > 0);
  for (const key of keys) assert.match(key, /^(account|address|service|signup):[0-9a-f]{64}$/);
});

test.run();
