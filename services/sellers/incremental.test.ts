// Sending on only what changed, against the real sandbox sellers (through a
// proxy that counts their requests) and the service's real PostgreSQL, with
// catalog and pricing as recording fakes: a full pull writes everything and
// records the feed's version; with an unchanged inventory the next pull is one
// conditional request per seller and writes nothing, yet counts as synced; a
// seller restarted with one hotel changed has that change written, and only
// the pages that hold it; a new day pulls the new rate window.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startCasa } from "../../sandbox/casa.js";
import { generateInventory } from "../../sandbox/inventory.js";
import type { RunningSeller } from "../../sandbox/seller-server.js";
import { startSkylark } from "../../sandbox/skylark.js";
import { createAdapters } from "./adapters/index.js";
import { sellersFixture, type SellersFixture } from "./fixture.js";
import { FxTable, SANDBOX_FX_RATES } from "./fx.js";

const TODAY = "2026-05-04";
// 120 hotels: listing pages of 100 (2 pages), rate pages of 50 hotels (3 pages).
const inventory = generateInventory({ seed: 11, today: TODAY, cities: 2, hotelsPerCity: 60, days: 4, pairs: 2 });
let clock = new Date(`${TODAY}T10:00:00Z`);

/** A pass-through to a seller (GETs only) that counts what it is asked; its target can change (a restarted seller). */
async function countingProxy(target: () => string) {
  const seen: string[] = [];
  const server = createServer((req, res) => {
    seen.push(req.url!);
    const ifNoneMatch = req.headers["if-none-match"];
    fetch(target() + req.url!, { headers: ifNoneMatch ? { "if-none-match": ifNoneMatch } : {} })
      .then(async (answer) => {
        const headers: Record<string, string> = { "content-type": answer.headers.get("content-type") ?? "text/plain" };
        const etag = answer.headers.get("etag");
        if (etag) headers.etag = etag;
        res.writeHead(answer.status, headers).end(Buffer.from(await answer.arrayBuffer()));
      })
      .catch(() => res.writeHead(502).end());
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}

let casa: RunningSeller;
let skylark: RunningSeller;
let casaProxy: Awaited<ReturnType<typeof countingProxy>>;
let skylarkProxy: Awaited<ReturnType<typeof countingProxy>>;
let f: SellersFixture;

test.before(async () => {
  casa = await startCasa({ inventory });
  skylark = await startSkylark({ inventory });
  casaProxy = await countingProxy(() => casa.url);
  skylarkProxy = await countingProxy(() => skylark.url);
  const now = () => clock;
  const adapters = createAdapters({ casa: casaProxy.url, skylark: skylarkProxy.url }, { fx: new FxTable(SANDBOX_FX_RATES), now });
  f = await sellersFixture({ adapters, now });
});
test.after(async () => {
  await f.close();
  await Promise.all([casaProxy.close(), skylarkProxy.close(), casa.close(), skylark.close()]);
});

const written = () => ({
  hotels: f.catalog.hotels.flatMap((r) => r.hotels).length,
  flights: f.catalog.flights.flatMap((r) => r.flights).length,
  rates: f.pricing.rates.flatMap((r) => r.rates).length,
});
const lastSync = async (sellerId: string) =>
  (await f.client.listSellers(f.ctx, {})).sellers.find((s) => s.sellerId === sellerId)!.lastSyncTime!.seconds;
const roomNights = inventory.hotels.reduce((n, h) => n + h.rooms.length, 0) * inventory.days;

test("a full pull writes everything; the next one, inventory unchanged, is one conditional request per seller, writes nothing and counts as synced", async () => {
  const full = await f.client.syncSeller(f.ctx, { sellerId: "casa" });
  assert.equal([full.hotels, full.rates, full.unchanged], [120, roomNights, false]);
  await f.client.syncSeller(f.ctx, { sellerId: "skylark" });
  // An explicit SyncSeller without only_changes pulls and writes everything again.
  const again = await f.client.syncSeller(f.ctx, { sellerId: "casa" });
  assert.equal([again.hotels, again.rates], [120, roomNights]);
  const before = written();
  casaProxy.seen.length = 0;
  skylarkProxy.seen.length = 0;
  clock = new Date(clock.getTime() + 60_000);

  const casaSync = await f.client.syncSeller(f.ctx, { sellerId: "casa", onlyChanges: true });
  const skySync = await f.client.syncSeller(f.ctx, { sellerId: "skylark", onlyChanges: true });
  assert.equal([casaSync.unchanged, casaSync.hotels, casaSync.rates], [true, 0, 0]);
  assert.equal([skySync.unchanged, skySync.flights], [true, 0]);
  assert.equal(casaProxy.seen, ["/xml/version"]);
  assert.equal(skylarkProxy.seen, ["/v1/version"]);
  assert.equal(written(), before, "nothing written to catalog or pricing");
  assert.is(await lastSync("casa"), BigInt(clock.getTime() / 1000), "the data held counts as arrived now");
  assert.is(await lastSync("skylark"), BigInt(clock.getTime() / 1000));
});

test("a seller restarted with one hotel changed: the change is written, and only the pages that hold it", async () => {
  await casa.close();
  const changed = inventory.hotels[110]!; // listing page 2 (hotels 100–119), rate page 3 (hotels 100–119)
  changed.name = "The Renamed Palace";
  changed.baseRateMinor += 5_000;
  casa = await startCasa({ inventory, port: casa.port }); // its photos' URLs name its origin: the same one
  const before = written();

  const sync = await f.client.syncSeller(f.ctx, { sellerId: "casa", onlyChanges: true });
  assert.is(sync.unchanged, false);
  const hotels = f.catalog.hotels.slice(-1).flatMap((r) => r.hotels);
  assert.is(sync.hotels, 20);
  assert.ok(hotels.some((h) => h.hotelId === `h-${changed.code}` && h.name === "The Renamed Palace"), "the renamed hotel");
  const rates = f.pricing.rates.flatMap((r) => r.rates).slice(before.rates);
  const changedNights = changed.rooms.length * inventory.days;
  assert.is(sync.rates, rates.length);
  assert.is(rates.length, inventory.hotels.slice(100).reduce((n, h) => n + h.rooms.length, 0) * inventory.days);
  assert.is(rates.filter((r) => r.hotelId === `h-${changed.code}`).length, changedNights, "the changed hotel's new rates");
  assert.equal(written().hotels - before.hotels, 20);

  // Recorded: the same inventory again is one request, nothing written.
  const after = written();
  casaProxy.seen.length = 0;
  assert.is((await f.client.syncSeller(f.ctx, { sellerId: "casa", onlyChanges: true })).unchanged, true);
  assert.equal([casaProxy.seen, written()], [["/xml/version"], after]);
});

test("on a new day the version of yesterday's window is not sent: the new window's rates are written", async () => {
  clock = new Date(`2026-05-05T10:00:00Z`);
  const before = written();
  const sync = await f.client.syncSeller(f.ctx, { sellerId: "casa", onlyChanges: true });
  assert.is(sync.unchanged, false);
  assert.is(sync.hotels, 0, "the listings are the same pages");
  assert.ok(sync.rates > 0, "the window moved: its rate pages differ");
  assert.is(written().rates - before.rates, sync.rates);
});

test.run();
