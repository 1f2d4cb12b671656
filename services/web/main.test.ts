// The web BFF as a real process: `node --import tsx services/web/main.ts` on
// a free port, with a real identity server in this test process as its
// IDENTITY_URL (its keys fetched from the JWKS route, its service token from
// SERVICE_SECRET) and a built app in a temporary WEB_DIST. It becomes ready,
// serves the app and its security headers, signs a browser up with cookies
// and knows it on the next call (the display name asked of identity as the
// BFF itself), answers a peer that is down with UNAVAILABLE, exits 0 on
// SIGTERM, and refuses a bad WEB_RATE_PER_SEC with a message naming it. Its
// public port serves neither /metrics nor reflection; WEB_ADMIN_PORT does
// serve /metrics.
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import type { RunningServer } from "../../transport/server.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../identity/fixture.js";
import { Browser } from "../../transport/browser.fixture.js";

let identity: IdentityFixture;
let identityServer: RunningServer;
let web: TestProcess;
let url: string;
let dist: string;
let down: string;
let admin: string;

test.before(async () => {
  identity = await identityFixture();
  identityServer = await serveIdentity(identity);
  dist = await mkdtemp(join(tmpdir(), "itinera-web-main-"));
  await writeFile(join(dist, "index.html"), "<!doctype html><title>Itinera</title><div id=root></div>");
  const port = await freePort();
  down = `http://127.0.0.1:${await freePort()}`; // nothing listens there
  url = `http://127.0.0.1:${port}`;
  const adminPort = await freePort();
  admin = `http://127.0.0.1:${adminPort}`;
  web = startProcess("services/web/main.ts", {
    WEB_PORT: String(port),
    WEB_PUBLIC_URL: url,
    WEB_DIST: dist,
    WEB_ADMIN_PORT: String(adminPort),
    IDENTITY_URL: identityServer.url,
    SERVICE_SECRET: testServiceSecret("web"),
    SEARCH_URL: down,
    CATALOG_URL: down,
    WALLET_URL: down,
    PAYMENT_URL: down,
    BOOKING_URL: down,
    LOG_LEVEL: "info",
  });
  await until(
    "200 from /readyz",
    async () => {
      if (web.child.exitCode !== null) throw new Error(`web exited with ${web.child.exitCode}: ${web.stderr()}`);
      return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
    },
    30_000,
  );
});
test.after(async () => {
  try {
    await web?.kill();
  } finally {
    await identityServer?.close(5_000);
    await identity?.close();
    if (dist) await rm(dist, { recursive: true, force: true });
  }
});

test("the app is served on the API's port, with its security headers", async () => {
  const res = await fetch(`${url}/trips/return?payment_id=pay_1`);
  assert.is(res.status, 200);
  assert.match(await res.text(), /<div id=root>/);
  assert.match(res.headers.get("content-security-policy") ?? "", /form-action 'self' http:\/\/127\.0\.0\.1:7110/);
});

test("the public port serves no /metrics and no gRPC reflection; the admin port serves /metrics", async () => {
  const metrics = await fetch(`${url}/metrics`);
  assert.is(metrics.status, 404);
  assert.not.match(await metrics.text(), /web_|rpc_|process_/);
  const reflection = await fetch(`${url}/grpc.reflection.v1.ServerReflection/ServerReflectionInfo`, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto" },
    body: new Uint8Array([0, 0, 0, 0, 2, 58, 0]),
  });
  // Served, it would answer 200 with the service list; not served, the route is unknown.
  assert.ok(reflection.status === 404 || reflection.headers.get("grpc-status") === "12", `status ${reflection.status}`);
  await reflection.body?.cancel();
  const scraped = await fetch(`${admin}/metrics`);
  assert.is(scraped.status, 200);
  assert.match(await scraped.text(), /# TYPE /);
});

test("a browser signs up through the real identity, follows its link, and is known on its next call", async () => {
  const b = new Browser(url);
  await b.call("GetSession");
  const up = await b.call("SignUp", { email: "web-main@example.com", password: "a long enough password", displayName: "Ada" });
  assert.is(up.status, 200, JSON.stringify(up.body));
  assert.not.ok(b.cookies.has("itinera_session"), "signed in only by the e-mail's link");
  const res = await b.call("VerifyEmail", { token: await identity.linkToken("web-main@example.com") });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.ok(b.cookies.has("itinera_session") && b.cookies.has("itinera_refresh"));
  // Another BFF call verifies the cookie's JWT with identity's published keys.
  const session = await b.call("GetSession");
  assert.is(session.body.customer.customerId, res.body.customer.customerId);
  assert.is(session.body.customer.displayName, "Ada");
  // An account the BFF never saw: its name comes from identity (GetCustomer, as the BFF's service identity).
  await identity.signedUp("direct@example.com", "a long enough password", "Grace");
  const other = new Browser(url);
  await other.call("GetSession");
  const signIn = await other.call("SignIn", { email: "direct@example.com", password: "a long enough password" });
  assert.is(signIn.status, 200, JSON.stringify(signIn.body));
  assert.is(signIn.body.customer.displayName, "Grace");
  // identity's own rules come back under the page's field names.
  const weak = await b.call("SignUp", { email: "short@example.com", password: "short", displayName: "S" });
  assert.is(weak.body.code, "invalid_argument");
  assert.match(weak.body.message, /password: must be at least 10 characters/);
});

test("a peer that is down: UNAVAILABLE, not a crash", async () => {
  const b = new Browser(url);
  const res = await b.call("SuggestDestinations", { text: "Lisbon" });
  assert.is(res.body.code, "unavailable");
  assert.is((await fetch(`${url}/readyz`)).status, 200);
});

test("SIGTERM: the process stops and exits 0", async () => {
  web.child.kill("SIGTERM");
  assert.is(await web.exited, 0);
});

test("a bad WEB_RATE_PER_SEC stops the process with a message naming it", async () => {
  const bad = startProcess("services/web/main.ts", { WEB_PORT: String(await freePort()), WEB_RATE_PER_SEC: "fast" });
  assert.is(await bad.exited, 1);
  assert.match(bad.stderr(), /WEB_RATE_PER_SEC must be an integer/);
});

test.run();
