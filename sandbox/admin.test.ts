import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import { startCasa } from "./casa.js";
import { generateInventory } from "./inventory.js";
import { startSkylark } from "./skylark.js";
import type { RunningSeller } from "./seller-server.js";

const inv = generateInventory({ seed: 2, today: "2026-03-20", cities: 3, hotelsPerCity: 2, days: 5, pairs: 2 });
const route = inv.routes[0]!;
const faresPath = `/v1/fares?from=${route.from}&to=${route.to}&date=${inv.today}`;
let sky: RunningSeller;
let casa: RunningSeller;
test.before(async () => {
  sky = await startSkylark({ inventory: inv });
  casa = await startCasa({ inventory: inv });
});
test.after(async () => {
  await Promise.all([sky.close(), casa.close()]);
});
test.before.each(async () => {
  await Promise.all([sky, casa].map((s) => fetch(`${s.url}/admin/reset`, { method: "POST" })));
});

async function setMode(s: RunningSeller, body: unknown): Promise<Response> {
  return fetch(`${s.url}/admin/mode`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) });
}
const stats = async (s: RunningSeller) => (await (await fetch(`${s.url}/admin/stats`)).json()) as Record<string, number>;

test("a seller starts normal; POST /admin/mode changes the mode and says so", async () => {
  assert.equal(await (await fetch(`${sky.url}/admin/mode`)).json(), { mode: "normal", delay_ms: 0 });
  const res = await setMode(sky, { mode: "slow", delay_ms: 250 });
  assert.equal([res.status, await res.json()], [200, { mode: "slow", delay_ms: 250 }]);
  assert.equal(await (await fetch(`${sky.url}/admin/mode`)).json(), { mode: "slow", delay_ms: 250 });
});

test("nonsense modes are refused with 400", async () => {
  assert.is((await setMode(sky, { mode: "broken" })).status, 400);
  assert.is((await setMode(sky, { mode: "slow", delay_ms: -1 })).status, 400);
  const res = await fetch(`${sky.url}/admin/mode`, { method: "POST", body: "not json" });
  assert.is(res.status, 400);
});

test("slow: every API call waits delay_ms; the admin API does not", async () => {
  await setMode(sky, { mode: "slow", delay_ms: 1500 });
  const started = performance.now();
  const order: string[] = [];
  const api = fetch(sky.url + faresPath).then(async (r) => {
    order.push("api");
    return r.status;
  });
  const admin = fetch(`${sky.url}/admin/stats`).then(async (r) => {
    order.push("admin");
    return r.status;
  });
  assert.equal(await Promise.all([api, admin]), [200, 200]);
  assert.ok(performance.now() - started >= 1400, "the call waited");
  assert.equal(order, ["admin", "api"]);
  assert.is((await stats(sky)).searches, 1);
});

test("fail: API calls answer 500 in the seller's own format and are not counted", async () => {
  await setMode(sky, { mode: "fail" });
  await setMode(casa, { mode: "fail" });
  const json = await fetch(sky.url + faresPath);
  assert.is(json.status, 500);
  assert.ok(((await json.json()) as { error: string }).error.length > 0);
  const xml = await fetch(`${casa.url}/xml/hotels`);
  assert.is(xml.status, 500);
  assert.match(await xml.text(), /<error status="500">/);
  assert.is((await stats(sky)).searches, 0);
});

test("down: API connections are destroyed; health and admin still answer; reset brings the seller back", async () => {
  await fetch(sky.url + faresPath);
  await setMode(sky, { mode: "down" });
  const failed = await fetch(sky.url + faresPath).then(
    () => "answered",
    (e: unknown) => (e instanceof TypeError ? "connection failed" : String(e)),
  );
  assert.is(failed, "connection failed");
  assert.is((await fetch(`${sky.url}/healthz`)).status, 200);
  const reset = await fetch(`${sky.url}/admin/reset`, { method: "POST" });
  assert.equal(await reset.json(), { mode: "normal", delay_ms: 0, stats: { searches: 0, bookings: 0, booking_refusals: 0, throttled: 0 } });
  assert.is((await fetch(sky.url + faresPath)).status, 200);
});

test("closing a seller does not wait for slow calls in flight", async () => {
  const s = await startSkylark({ inventory: inv });
  await setMode(s, { mode: "slow", delay_ms: 60_000 });
  const pending = fetch(s.url + faresPath).then(
    (r) => r.status,
    () => "closed",
  );
  await until("the slow call in flight at the seller", () => (s.admin.inFlight === 1 ? true : undefined));
  await s.close();
  assert.is(await pending, "closed");
});

test.run();
