// ReceivePush on real PostgreSQL: a signed push is written once; a replay
// of the same push id (also a concurrent one) inside the window is a
// duplicate that writes nothing; a bad or missing signature, one made
// outside the ±300 s window, or a captured push sent under another push id
// is refused before the body is read; a push whose writes failed is not
// recorded, so the seller's retry goes through.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { parseDate } from "./calendar.js";
import { startFakeSellers, type FakeSellers } from "./fake-sellers.fixture.js";
import { samplePushBody as pushBody, sellersFixture, TEST_SECRET, type SellersFixture } from "./fixture.js";
import { PUSH_TOLERANCE_SECONDS, signPush } from "./push.js";

const NOW = new Date("2026-11-20T10:00:00Z");
const T = NOW.getTime() / 1000;

async function withService(work: (f: SellersFixture, sellers: FakeSellers) => Promise<void>) {
  const sellers = await startFakeSellers();
  let fixture: SellersFixture | undefined;
  try {
    fixture = await sellersFixture({ adapters: sellers.adapters(), now: () => NOW });
    await work(fixture, sellers);
  } finally {
    await fixture?.close();
    await sellers.close();
  }
}

const ID = "6f1c1e0a-1b2c-4d3e-8f90-123456789abc";

/** A push of `body` as wanderly sends it: its push id beside the body, signed with `key` at `t`. */
function signed(body: Uint8Array, opts: { pushId?: string; key?: string; t?: number } = {}) {
  const pushId = opts.pushId ?? ID;
  return { sellerId: "wanderly", body, pushId, signature: signPush(opts.key ?? TEST_SECRET, pushId, body, opts.t ?? T) };
}

test("signatures: t=<unix seconds>,v1=<hex HMAC-SHA256 of t, push id and the exact body bytes>", () => {
  const body = pushBody(ID);
  const signature = signPush(TEST_SECRET, ID, body, T);
  assert.match(signature, new RegExp(`^t=${T},v1=[0-9a-f]{64}$`));
  assert.is.not(signPush(TEST_SECRET, "other-id", body, T), signature, "the push id is covered");
  assert.is.not(signPush(TEST_SECRET, ID, body, T + 1), signature, "the time is covered");
  assert.is.not(signPush(TEST_SECRET, ID, pushBody("x"), T), signature, "the body is covered");
  assert.is.not(signPush("another-key", ID, body, T), signature, "each seller its own key");
});

test("a signed push is written once: hotels to catalog, EUR rates to pricing; a replay writes nothing", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const first = await f.client.receivePush(f.ctx, signed(body));
    assert.equal([first.listings, first.rates, first.duplicate], [1, 2, false]);
    assert.is(f.catalog.hotels.length, 1);
    const upsert = f.catalog.hotels[0]!;
    assert.is(upsert.sellerId, "wanderly");
    assert.equal(upsert.hotels.map((h) => [h.hotelId, h.sellerIds]), [["h-P000002", ["wanderly"]]]);
    assert.equal(upsert.cityAliases["new-york-us"]?.aliases.slice(0, 2), ["Gotham", "NY"]);
    assert.equal(f.pricing.rates.map((r) => [r.sellerId, r.rates.map((x) => x.price?.amountMinor)]), [["wanderly", [9360n, 9360n]]]);
    assert.equal(await f.counts(), { pushes: 1, coverage: 2, feeds: 1 }); // hotel:h-P000002, route:LIS-JFK

    const again = await f.client.receivePush(f.ctx, signed(body, { t: T + 60 }));
    assert.equal([again.listings, again.rates, again.duplicate], [1, 2, true]);
    assert.is(f.catalog.hotels.length, 1, "nothing written twice");
    assert.is(f.pricing.rates.length, 1, "nothing written twice");
    assert.equal(await f.counts(), { pushes: 1, coverage: 2, feeds: 1 });

    // The push's fares told that wanderly sells LIS-JFK: it is asked, and so is skylark, whose data never arrived.
    const fares = await f.client.quoteFlights(f.ctx, { origin: "LIS", destination: "JFK", departureDate: parseDate("2026-12-01") });
    assert.equal(fares.fares.map((x) => x.sellerId).sort(), ["skylark", "wanderly"]);
  }));

test("the same push twice at once is written once", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const req = signed(body);
    const both = await Promise.all([f.client.receivePush(f.ctx, req), f.client.receivePush(f.ctx, req)]);
    assert.equal(both.map((r) => r.duplicate).sort(), [false, true]);
    assert.is(f.catalog.hotels.length, 1);
    assert.is(f.pricing.rates.length, 1);
  }));

test("a bad, missing or mismatched signature is refused and nothing is written", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const forged = await kitRejection(f.client.receivePush(f.ctx, signed(body, { key: "guess" })));
    assert.is(forged.code, Code.PermissionDenied);
    assert.match(forged.message, /signature does not match/);
    const good = signed(body);
    const tampered = pushBody("another-id");
    const otherBody = await kitRejection(f.client.receivePush(f.ctx, { ...good, body: tampered, pushId: "another-id" }));
    assert.is(otherBody.code, Code.PermissionDenied);
    const unsigned = await kitRejection(f.client.receivePush(f.ctx, { ...good, signature: "" }));
    assert.is(unsigned.code, Code.Unauthenticated);
    for (const signature of ["abc", good.signature.replace("v1=", "v2="), `${good.signature}00`, good.signature.replace(/t=\d+/, "t=soon")]) {
      const e = await kitRejection(f.client.receivePush(f.ctx, { ...good, signature }));
      assert.is(e.code, Code.Unauthenticated, signature);
      assert.match(e.message, /must read t=<unix seconds>,v1=/);
    }
    assert.equal([f.catalog.hotels.length, f.pricing.rates.length], [0, 0]);
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
  }));

test("a push signed outside the ±300 s window is refused: a captured push cannot be replayed later", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    for (const t of [T - PUSH_TOLERANCE_SECONDS - 1, T + PUSH_TOLERANCE_SECONDS + 1, 0]) {
      const e = await kitRejection(f.client.receivePush(f.ctx, signed(body, { t })));
      assert.is(e.code, Code.Unauthenticated, String(t));
      assert.match(e.message, /signed more than 300 s from now/);
    }
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
    for (const t of [T - PUSH_TOLERANCE_SECONDS, T + PUSH_TOLERANCE_SECONDS]) {
      assert.is((await f.client.receivePush(f.ctx, signed(body, { t }))).listings, 1, "the window's edges are inside");
    }
  }));

test("a captured push sent under a new push id is refused: the id is signed", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const captured = signed(body);
    await f.client.receivePush(f.ctx, captured);
    const renamed = await kitRejection(f.client.receivePush(f.ctx, { ...captured, pushId: "a-fresh-unsigned-id" }));
    assert.is(renamed.code, Code.PermissionDenied);
    const none = await kitRejection(f.client.receivePush(f.ctx, { ...captured, pushId: "" }));
    assert.equal(none.violations.map((v) => `${v.field}:${v.rule}`), ["push_id:required"]);
    assert.equal(await f.counts(), { pushes: 1, coverage: 2, feeds: 1 }, "only the first delivery wrote");
  }));

test("malformed pushes, push ids that disagree, pull sellers and unknown sellers are refused", () =>
  withService(async (f) => {
    const garbage = new TextEncoder().encode("{oops");
    const malformed = await kitRejection(
      f.client.receivePush(f.ctx, signed(garbage)),
    );
    assert.is(malformed.code, Code.InvalidArgument);
    assert.equal(malformed.violations.map((v) => v.field), ["body"]);
    const body = pushBody(ID);
    const { signature } = signed(body);
    const mismatch = await kitRejection(f.client.receivePush(f.ctx, signed(body, { pushId: "other" })));
    assert.equal(mismatch.violations.map((v) => v.field), ["push_id"]);
    assert.is((await kitRejection(f.client.receivePush(f.ctx, { sellerId: "casa", body, signature, pushId: ID }))).code, Code.FailedPrecondition);
    assert.is((await kitRejection(f.client.receivePush(f.ctx, { sellerId: "nobody", body, signature, pushId: ID }))).code, Code.NotFound);
    const empty = await kitRejection(f.client.receivePush(f.ctx, { sellerId: "wanderly", body: new Uint8Array(), signature, pushId: ID }));
    assert.equal(empty.violations.map((v) => v.field), ["body"]);
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
  }));

test("a push whose writes fail is not recorded: the seller's retry is processed", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const req = signed(body);
    f.pricing.failures = 1;
    assert.is((await kitRejection(f.client.receivePush(f.ctx, req))).code, Code.Unavailable);
    assert.is((await f.counts()).pushes, 0);
    const retry = await f.client.receivePush(f.ctx, req);
    assert.is(retry.duplicate, false);
    assert.is(f.pricing.rates.length, 1);
    assert.is((await f.counts()).pushes, 1);
  }));

test.run();
