// The BFF's port as a browser meets it besides the session: the built app
// (files with their types, immutable hashed assets, the SPA fallback,
// security headers, 404 for missing files, the "run make web" page without a
// build), CORS for an allowed origin and none for a foreign one, a Connect
// JSON call made with plain fetch exactly as the browser app sends it, and
// the rate limit per address (and per customer).
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Browser } from "../../transport/browser.fixture.js";
import { startWebHarness, type WebHarness } from "./harness.fixture.js";

const DEV_ORIGIN = "http://127.0.0.1:5173";
let dist: string;
let h: WebHarness;
let limited: WebHarness;
let unbuilt: WebHarness;

test.before(async () => {
  dist = await mkdtemp(join(tmpdir(), "itinera-web-dist-"));
  await mkdir(join(dist, "assets"));
  await writeFile(join(dist, "index.html"), '<!doctype html><html><body><div id="root"></div><script type="module" src="/assets/index-B3x9kq2Z.js"></script></body></html>');
  await writeFile(join(dist, "assets", "index-B3x9kq2Z.js"), "console.log('app');\n");
  await writeFile(join(dist, "assets", "index-Cq81fPz0.css"), "body{margin:0}\n");
  await writeFile(join(dist, "favicon.svg"), "<svg xmlns='http://www.w3.org/2000/svg'/>");
  await writeFile(join(dist, ".env"), "SECRET=1");
  h = await startWebHarness({ dist, allowedOrigins: [DEV_ORIGIN] });
  limited = await startWebHarness({ rateLimit: { ratePerSecond: 2, burst: 10 } });
  unbuilt = await startWebHarness({ dist: join(dist, "missing") });
});
test.after(async () => {
  await h?.close();
  await limited?.close();
  await unbuilt?.close();
  await rm(dist, { recursive: true, force: true });
});

const SECURITY = (headers: Record<string, unknown>) => {
  assert.match(String(headers["content-security-policy"]), /default-src 'self'/);
  assert.match(String(headers["content-security-policy"]), /form-action 'self' http:\/\/127\.0\.0\.1:7110/);
  assert.match(String(headers["content-security-policy"]), /frame-ancestors 'none'/);
  assert.is(headers["x-content-type-options"], "nosniff");
  assert.is(headers["referrer-policy"], "strict-origin-when-cross-origin");
};

test("GET / is the app's index.html: HTML, no-cache, security headers", async () => {
  const res = await new Browser(h.url).get("/");
  assert.is(res.status, 200);
  assert.is(res.headers["content-type"], "text/html; charset=utf-8");
  assert.is(res.headers["cache-control"], "no-cache");
  assert.match(res.body, /<div id="root">/);
  SECURITY(res.headers);
});

test("an app route (and one with a query) falls back to index.html; revalidation answers 304", async () => {
  const b = new Browser(h.url);
  for (const path of ["/trips/return?payment_id=pay_1&status=authorised", "/hotels/h-aurora", "/wallet"]) {
    const res = await b.get(path);
    assert.is(res.status, 200, path);
    assert.match(res.body, /<div id="root">/, path);
  }
  const first = await b.get("/trips");
  const again = await b.get("/trips", { "if-none-match": String(first.headers.etag) });
  assert.is(again.status, 304);
});

test("hashed assets: their content type, cached for a year, immutable; other files no-cache", async () => {
  const b = new Browser(h.url);
  const js = await b.get("/assets/index-B3x9kq2Z.js");
  assert.is(js.status, 200);
  assert.is(js.headers["content-type"], "text/javascript; charset=utf-8");
  assert.is(js.headers["cache-control"], "public, max-age=31536000, immutable");
  assert.is(js.body, "console.log('app');\n");
  SECURITY(js.headers);
  const css = await b.get("/assets/index-Cq81fPz0.css");
  assert.is(css.headers["content-type"], "text/css; charset=utf-8");
  const icon = await b.get("/favicon.svg");
  assert.is(icon.headers["content-type"], "image/svg+xml");
  assert.is(icon.headers["cache-control"], "no-cache");
  const head = await b.request("HEAD", "/assets/index-B3x9kq2Z.js");
  assert.is(head.status, 200);
  assert.is(head.headers["content-length"], "20");
  assert.is(head.body, "");
});

test("a missing file is a 404 (not the app's HTML); dotfiles and escapes are never served", async () => {
  const b = new Browser(h.url);
  assert.is((await b.get("/assets/missing-AAAAAAAA.js")).status, 404);
  assert.is((await b.get("/.env")).status, 400);
  assert.is((await b.get("/%2e%2e/%2e%2e/etc/passwd")).status, 400);
  const escaped = await b.get("/assets/../../../etc/passwd");
  assert.not.match(String(escaped.body), /root:/);
});

test("without a built app, the pages say to run make web", async () => {
  const res = await new Browser(unbuilt.url).get("/");
  assert.is(res.status, 503);
  assert.match(res.body, /make web/);
  assert.is(res.headers["content-type"], "text/html; charset=utf-8");
  // The API works meanwhile.
  assert.is((await new Browser(unbuilt.url).call("GetSession")).status, 200);
});

test("the probes and RPC paths are not the app's: /readyz answers, a Connect GET reaches the router", async () => {
  const b = new Browser(h.url);
  assert.is((await b.get("/readyz")).status, 200);
  const get = await b.get("/itinera.web.v1.WebService/GetSession?connect=v1&encoding=json&message=%7B%7D");
  assert.is(get.status, 200);
  assert.ok(typeof get.body.csrfToken === "string");
});

test("CORS: a preflight from the allowed origin is answered with credentials and our headers", async () => {
  const b = new Browser(h.url, { origin: DEV_ORIGIN });
  const res = await b.request("OPTIONS", "/itinera.web.v1.WebService/SignIn", undefined, {
    "access-control-request-method": "POST",
    "access-control-request-headers": "content-type, connect-protocol-version, x-csrf-token",
  });
  assert.is(res.status, 204);
  assert.is(res.headers["access-control-allow-origin"], DEV_ORIGIN);
  assert.is(res.headers["access-control-allow-credentials"], "true");
  assert.match(String(res.headers["access-control-allow-methods"]), /POST/);
  const allowed = String(res.headers["access-control-allow-headers"]).toLowerCase();
  for (const header of ["content-type", "connect-protocol-version", "x-csrf-token", "connect-timeout-ms"]) assert.ok(allowed.includes(header), header);
  assert.match(String(res.headers.vary), /Origin/);
  // The actual call gets the origin echoed and the exposed headers.
  const call = await b.call("GetSession");
  assert.is(call.headers["access-control-allow-origin"], DEV_ORIGIN);
  assert.is(call.headers["access-control-allow-credentials"], "true");
  assert.match(String(call.headers["access-control-expose-headers"]), /retry-after-ms/);
  assert.match(String(call.headers.vary), /Origin/);
});

test("CORS: a foreign origin gets no CORS headers, and its preflight is refused", async () => {
  const b = new Browser(h.url, { origin: "https://evil.example" });
  const pre = await b.request("OPTIONS", "/itinera.web.v1.WebService/SignIn", undefined, { "access-control-request-method": "POST" });
  assert.is(pre.status, 403);
  assert.is(pre.headers["access-control-allow-origin"], undefined);
  const call = await b.call("GetSession");
  assert.is(call.headers["access-control-allow-origin"], undefined);
  assert.is(call.headers["access-control-allow-credentials"], undefined);
});

test("plain fetch, as the browser app sends it (Connect JSON over HTTP/1.1, cookies, CSRF header)", async () => {
  const post = (method: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${h.url}/itinera.web.v1.WebService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1", ...headers },
      body: JSON.stringify(body),
    });
  const session = await post("GetSession", {});
  assert.is(session.status, 200);
  const { csrfToken } = (await session.json()) as { csrfToken: string };
  const cookie = session.headers.getSetCookie().map((c) => c.split(";")[0]).join("; ");
  const signUp = await post(
    "SignUp",
    { email: "fetch@example.test", password: "correct horse battery", displayName: "Fetch" },
    { cookie, "x-csrf-token": csrfToken },
  );
  assert.is(signUp.status, 200);
  const verify = await post("VerifyEmail", { token: h.world.links.get("fetch@example.test") }, { cookie, "x-csrf-token": csrfToken });
  assert.is(verify.status, 200);
  const set = verify.headers.getSetCookie();
  assert.equal(set.map((c) => c.split("=")[0]).sort(), ["itinera_csrf", "itinera_refresh", "itinera_session"]);
  const jar = set.map((c) => c.split(";")[0]).join("; ");
  const wallet = await post("GetWallet", { pageSize: 5 }, { cookie: jar });
  assert.is(wallet.status, 200);
  const body = (await wallet.json()) as { available: { amountMinor: string; currency: string } };
  assert.equal(body.available, { amountMinor: "10000", currency: "EUR" }, "int64 as a JSON string");
  const bad = await post("SuggestDestinations", { text: "x" });
  assert.is(bad.status, 400);
  const error = (await bad.json()) as { code: string; message: string };
  assert.is(error.code, "invalid_argument");
  assert.match(error.message, /text: must be at least 2 characters/);
});

test("rate limit: 30 quick calls from one address — some RESOURCE_EXHAUSTED with a retry hint; another address is unaffected", async () => {
  const busy = new Browser(limited.url, { localAddress: "127.0.0.2" });
  const answers = [];
  for (let i = 0; i < 30; i++) answers.push(await busy.call("ListAirports"));
  const refused = answers.filter((a) => a.status === 429);
  assert.ok(refused.length >= 15, `${refused.length} of 30 refused`);
  assert.ok(answers.slice(0, 10).every((a) => a.status === 200), "the burst passes");
  assert.is(refused[0]!.body.code, "resource_exhausted");
  assert.match(refused[0]!.body.message, /Too many requests/);
  assert.ok(Number(refused[0]!.headers["retry-after-ms"]) > 0, "retry-after-ms sent");
  const other = new Browser(limited.url, { localAddress: "127.0.0.3" });
  assert.is((await other.call("ListAirports")).status, 200);
});

test("rate limit: a customer moving between addresses keeps one bucket", async () => {
  const principal = await limited.customer("cus_roamer");
  const auth = { headers: { authorization: `Bearer ${principal.token}` } };
  const statuses: number[] = [];
  for (let i = 0; i < 14; i++) {
    const b = new Browser(limited.url, { localAddress: `127.0.1.${i + 1}` });
    statuses.push((await b.call("GetWallet", {}, auth)).status);
  }
  assert.ok(statuses.slice(0, 10).every((s) => s === 200));
  assert.ok(statuses.slice(10).includes(429), JSON.stringify(statuses));
});

test.run();
