// test-timeout-seconds: 240
// Sessions over the real processes (scripts/system.ts), through the BFF as a
// browser would: sign-up answers alike for a new and a registered address,
// and the SMTP sink shows what each owner was told; the link signs in;
// sign-out revokes the session at identity, so a copy of its refresh cookie
// signs nobody in; a spent refresh token presented from elsewhere revokes
// its family, the owner's session included; wrong passwords are throttled
// per account with a retry-after, and the right one works after that wait.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../endpoints/errors.js";
import { kitRejection } from "../endpoints/testing.js";
import { until } from "../platform/processes.testing.js";
import { Browser } from "../transport/browser.fixture.js";
import { startMarketplace, type Customer, type Marketplace } from "./marketplace.fixture.js";

const PASSWORD = "correct horse battery";
let m: Marketplace;
let web: string;
let alice: Customer;

test.before(async () => {
  // The BFF (with catalog, which it reads its airports from), identity, and the mailer with its SMTP sink (the
  // sign-up e-mails): the rest of the marketplace plays no part in sessions.
  m = await startMarketplace({}, { only: ["smtp", "identity", "catalog", "mailer", "web"] });
  web = m.system.url("web");
  alice = await m.signUp("alice");
});

test.after(async () => {
  await m?.close();
});

/** A browser on its own loopback address (another "machine") that has loaded the app. */
async function browserAt(address: string): Promise<Browser> {
  const b = new Browser(web, { localAddress: address });
  assert.is((await b.call("GetSession")).status, 200);
  return b;
}

async function signedIn(address: string, email: string): Promise<Browser> {
  const b = await browserAt(address);
  const res = await b.call("SignIn", { email, password: PASSWORD });
  assert.is(res.status, 200, JSON.stringify(res.body));
  return b;
}

/** The session cookie gone (expired): the next call refreshes with the refresh cookie. */
async function whoAfterExpiry(b: Browser): Promise<string | undefined> {
  b.cookies.delete("itinera_session");
  return (await b.call("GetSession")).body.customer?.customerId;
}

test("sign-up answers alike for a new and a registered address; the sink shows the link and the owner's note", async () => {
  const b = await browserAt("127.0.0.11");
  const newcomer = `newcomer.${Date.now().toString(36)}@example.com`;
  const fresh = await b.call("SignUp", { email: newcomer, password: PASSWORD, displayName: "Newcomer" });
  const taken = await b.call("SignUp", { email: alice.email, password: "someone else's password", displayName: "Mallory" });
  assert.equal([fresh.status, taken.status], [200, 200]);
  assert.equal(Object.keys(fresh.body).sort(), Object.keys(taken.body).sort());
  assert.equal([fresh.setCookies.some((c) => c.startsWith("itinera_session=")), taken.setCookies.some((c) => c.startsWith("itinera_session="))], [false, false]);

  const note = await until("the note to the registered address's owner", async () =>
    (await m.inbox()).find((x) => x.to.includes(alice.email) && x.subject === "Someone tried to create an account with your address"),
  );
  assert.not.match(note.text, /verify\?token=/);
  // The link signs the newcomer in, through the BFF.
  const token = await m.verificationToken(newcomer);
  const verified = await b.call("VerifyEmail", { token });
  assert.is(verified.status, 200, JSON.stringify(verified.body));
  assert.is(verified.body.customer.displayName, "Newcomer");
  assert.is((await b.call("GetSession")).body.customer.displayName, "Newcomer");
  // Alice's account is as it was: her password still works, Mallory's does not.
  assert.is((await (await browserAt("127.0.0.11")).call("SignIn", { email: alice.email, password: "someone else's password" })).status, 401);
  await signedIn("127.0.0.11", alice.email);
});

test("sign-out revokes the session at identity: a copy of its refresh cookie signs nobody in", async () => {
  const b = await signedIn("127.0.0.12", alice.email);
  const refreshToken = b.cookies.get("itinera_refresh")!;
  assert.is((await b.call("SignOut")).status, 200);
  const copy = new Browser(web, { localAddress: "127.0.0.13" });
  copy.cookies.set("itinera_refresh", refreshToken);
  const res = await copy.call("GetSession");
  assert.is(res.body.customer, undefined);
  assert.is((await kitRejection(m.clients.identity.refresh(m.ctx(), { refreshToken }))).code, Code.Unauthenticated);
});

test("a spent refresh token used from elsewhere revokes its family: the thief and the owner are both signed out", async () => {
  const owner = await signedIn("127.0.0.14", alice.email);
  const stolen = owner.cookies.get("itinera_refresh")!;
  assert.is(await whoAfterExpiry(owner), alice.customerId, "the owner's refresh rotates the token");
  const thief = new Browser(web, { localAddress: "127.0.0.15" });
  thief.cookies.set("itinera_refresh", stolen);
  assert.is((await thief.call("GetSession")).body.customer, undefined);
  assert.is(await whoAfterExpiry(owner), undefined, "the family is revoked: the owner signs in again");
});

test("wrong passwords: RESOURCE_EXHAUSTED with retry-after-ms after five, even for the right one; after the wait it works", async () => {
  const victim = await m.signUp("victim");
  const b = await browserAt("127.0.0.16");
  for (let i = 0; i < 4; i++) assert.is((await b.call("SignIn", { email: victim.email, password: `guess number ${i}` })).status, 401);
  const fifthSent = Date.now();
  assert.is((await b.call("SignIn", { email: victim.email, password: "guess number 4" })).status, 401);
  const blocked = await b.call("SignIn", { email: victim.email, password: PASSWORD });
  const blockedAnswered = Date.now();
  assert.is(blocked.status, 429);
  assert.is(blocked.body.code, "resource_exhausted");
  const waitMs = Number(blocked.headers["retry-after-ms"]);
  // The fifth failure blocked the account for 30 s from when identity counted it, which is no earlier than it was
  // sent: what is left when the refusal came back is at least 30 s less the time between the two, however long a
  // loaded machine took (one clock: every process runs here).
  assert.ok(waitMs >= 30_000 - (blockedAnswered - fifthSent) && waitMs <= 30_000, `retry-after-ms ${waitMs}, ${blockedAnswered - fifthSent} ms after the fifth was sent`);
  // From another machine too: the account is blocked, not the address.
  assert.is((await (await browserAt("127.0.0.17")).call("SignIn", { email: victim.email, password: PASSWORD })).status, 429);
  // The wait the server announced, and not a moment more.
  await new Promise((r) => setTimeout(r, waitMs));
  const after = await b.call("SignIn", { email: victim.email, password: PASSWORD });
  assert.is(after.status, 200, JSON.stringify(after.body));
});

test.run();
