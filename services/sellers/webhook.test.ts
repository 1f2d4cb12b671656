// The webhook end to end: POST /webhooks/<seller> over real HTTP to the
// process's one port (startServer with the webhook as its `http` route, the
// service's RPCs beside it), into ReceivePush on real PostgreSQL. Good,
// replayed, forged, unsigned and malformed pushes get the right HTTP status;
// the RPCs and probes on the same port still answer.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { startFakeSellers, type FakeSellers } from "./fake-sellers.fixture.js";
import { pushHeaders, samplePushBody, sellersFixture, type SellersFixture } from "./fixture.js";
import { webhookRoute } from "../../transport/webhook.js";
import { PUSH_MAX_BODY_BYTES, pushWebhook } from "./webhook.js";

const log = pino({ level: "silent" });
const NOW = new Date("2026-11-20T10:00:00Z");

async function withServer(work: (server: RunningServer, f: SellersFixture) => Promise<void>) {
  const sellers: FakeSellers = await startFakeSellers();
  let f: SellersFixture | undefined;
  let server: RunningServer | undefined;
  try {
    f = await sellersFixture({ adapters: sellers.adapters(), now: () => NOW });
    const endpoints = f.endpoints;
    server = await startServer({
      port: 0,
      log,
      routes: (router) => serveService(router, SellersService, endpoints, { log }),
      http: webhookRoute({ ...pushWebhook(endpoints), log }),
    });
    await work(server, f);
  } finally {
    await server?.close(1000);
    await f?.close();
    await sellers.close();
  }
}

async function post(url: string, body: Uint8Array | string, headers: Record<string, string> = {}) {
  const res = await fetch(url, { method: "POST", body: typeof body === "string" ? body : new Uint8Array(body), headers: { "content-type": "application/json", ...headers } });
  return { status: res.status, json: (await res.json()) as Record<string, unknown> };
}

test("a signed push over HTTP is received once; its replay answers duplicate", () =>
  withServer(async (server, f) => {
    const id = "0d6f5a4e-3c2b-4a19-8f7e-6d5c4b3a2f10";
    const body = samplePushBody(id);
    const headers = pushHeaders(body, id, { at: NOW });
    const first = await post(`${server.url}/webhooks/wanderly`, body, headers);
    assert.equal(first, { status: 200, json: { rates: 2, listings: 1, duplicate: false } });
    const again = await post(`${server.url}/webhooks/wanderly`, body, headers);
    assert.equal(again, { status: 200, json: { rates: 2, listings: 1, duplicate: true } });
    assert.is(f.catalog.hotels.length, 1);
    assert.is(f.pricing.rates.length, 1);
    assert.is((await f.counts()).pushes, 1);
  }));

test("forged, unsigned, stale, malformed, misdirected and oversized pushes get 403, 401, 400, 404, 405 and 413", () =>
  withServer(async (server, f) => {
    const id = "1d6f5a4e-3c2b-4a19-8f7e-6d5c4b3a2f10";
    const body = samplePushBody(id);
    const url = `${server.url}/webhooks/wanderly`;
    const forged = await post(url, body, pushHeaders(body, id, { key: "guess", at: NOW }));
    assert.is(forged.status, 403);
    assert.is(forged.json.code, "PERMISSION_DENIED");
    assert.match(String(forged.json.message), /signature does not match/);
    const unsigned = await post(url, body, { "X-Push-Id": id });
    assert.equal([unsigned.status, unsigned.json.code], [401, "UNAUTHENTICATED"]);
    const stale = await post(url, body, pushHeaders(body, id, { at: new Date(NOW.getTime() - 301_000) }));
    assert.equal([stale.status, stale.json.code], [401, "UNAUTHENTICATED"]);
    const garbage = "{oops";
    const malformed = await post(url, garbage, pushHeaders(garbage, id, { at: NOW }));
    assert.equal([malformed.status, malformed.json.code], [400, "INVALID_ARGUMENT"]);
    const empty = await post(url, "", pushHeaders("", id, { at: NOW }));
    assert.equal([empty.status, empty.json.code], [400, "INVALID_ARGUMENT"]);
    const unknown = await post(`${server.url}/webhooks/nobody`, body, pushHeaders(body, id, { at: NOW }));
    assert.equal([unknown.status, unknown.json.code], [404, "NOT_FOUND"]);
    const pull = await post(`${server.url}/webhooks/casa`, body, pushHeaders(body, id, { at: NOW }));
    assert.equal([pull.status, pull.json.code], [400, "FAILED_PRECONDITION"]);
    const get = await fetch(url);
    assert.is(get.status, 405);
    assert.is(get.headers.get("allow"), "POST");
    await get.body?.cancel();
    // The body limit is the push's own (PUSH_MAX_BODY_BYTES, which the Ingress matches), not every route's 1 MiB:
    // a larger body than that passes the limit (and is refused unsigned), one byte over the push's is 413.
    const overOneMiB = await post(url, new Uint8Array(1024 * 1024 + 1), { "X-Push-Id": id });
    assert.equal([overOneMiB.status, overOneMiB.json.code], [401, "UNAUTHENTICATED"]);
    const oversized = await post(url, new Uint8Array(PUSH_MAX_BODY_BYTES + 1), pushHeaders("", id, { at: NOW }));
    assert.equal([oversized.status, oversized.json.code], [413, "PAYLOAD_TOO_LARGE"]);
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
  }));

test("the RPCs and probes on the same port still answer", () =>
  withServer(async (server) => {
    const client = clientOf(SellersService, connectTransport(server.url));
    const { sellers } = await client.listSellers(backgroundContext({ log }), {});
    assert.equal(sellers.map((s) => s.sellerId), ["skylark", "casa", "wanderly"]);
    const health = await fetch(`${server.url}/healthz`);
    assert.is(health.status, 200);
    await health.body?.cancel();
  }));

test.run();
