// ReceivePush on real PostgreSQL: a signed push is written once; a replay
// (also a concurrent one) is a duplicate that writes nothing; a bad or
// missing signature is refused before the body is read; a push whose writes
// failed is not recorded, so the seller's retry goes through.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { kitRejection } from "../../endpoints/testing.js";
import { parseDate } from "./calendar.js";
import { startFakeSellers, type FakeSellers } from "./fake-sellers.fixture.js";
import { samplePushBody as pushBody, sellersFixture, TEST_SECRET, type SellersFixture } from "./fixture.js";
import { sign, signatureMatches } from "./push.js";

const NOW = new Date("2026-11-20T10:00:00Z");

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

test("signatures: the HMAC-SHA256 of the exact bytes, hex, and nothing else", () => {
  const body = pushBody(ID);
  const good = sign(TEST_SECRET, body);
  assert.match(good, /^[0-9a-f]{64}$/);
  assert.is(signatureMatches(TEST_SECRET, body, good), true);
  assert.is(signatureMatches(TEST_SECRET, body, good.toUpperCase()), true);
  assert.is(signatureMatches(TEST_SECRET, body, `sha256=${good}`), true);
  assert.is(signatureMatches("another-secret", body, good), false);
  assert.is(signatureMatches(TEST_SECRET, pushBody("other"), good), false);
  for (const bad of ["", "abc", good.slice(0, 62), `${good}00`, "z".repeat(64)]) {
    assert.is(signatureMatches(TEST_SECRET, body, bad), false, bad);
  }
});

test("a signed push is written once: hotels to catalog, EUR rates to pricing; a replay writes nothing", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const first = await f.client.receivePush(f.ctx, { sellerId: "wanderly", body, signature: sign(TEST_SECRET, body) });
    assert.equal([first.listings, first.rates, first.duplicate], [1, 2, false]);
    assert.is(f.catalog.hotels.length, 1);
    const upsert = f.catalog.hotels[0]!;
    assert.is(upsert.sellerId, "wanderly");
    assert.equal(upsert.hotels.map((h) => [h.hotelId, h.sellerIds]), [["h-P000002", ["wanderly"]]]);
    assert.equal(upsert.cityAliases["new-york-us"]?.aliases.slice(0, 2), ["Gotham", "NY"]);
    assert.equal(f.pricing.rates.map((r) => [r.sellerId, r.rates.map((x) => x.price?.amountMinor)]), [["wanderly", [9360n, 9360n]]]);
    assert.equal(await f.counts(), { pushes: 1, coverage: 2, feeds: 1 }); // hotel:h-P000002, route:LIS-JFK

    const again = await f.client.receivePush(f.ctx, { sellerId: "wanderly", body, signature: sign(TEST_SECRET, body) });
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
    const req = { sellerId: "wanderly", body, signature: sign(TEST_SECRET, body) };
    const both = await Promise.all([f.client.receivePush(f.ctx, req), f.client.receivePush(f.ctx, req)]);
    assert.equal(both.map((r) => r.duplicate).sort(), [false, true]);
    assert.is(f.catalog.hotels.length, 1);
    assert.is(f.pricing.rates.length, 1);
  }));

test("a bad, missing or mismatched signature is refused and nothing is written", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const forged = await kitRejection(f.client.receivePush(f.ctx, { sellerId: "wanderly", body, signature: sign("guess", body) }));
    assert.is(forged.code, Code.PermissionDenied);
    assert.match(forged.message, /signature does not match/);
    const tampered = pushBody("another-id");
    const replayedSig = await kitRejection(
      f.client.receivePush(f.ctx, { sellerId: "wanderly", body: tampered, signature: sign(TEST_SECRET, body) }),
    );
    assert.is(replayedSig.code, Code.PermissionDenied);
    const unsigned = await kitRejection(f.client.receivePush(f.ctx, { sellerId: "wanderly", body, signature: "" }));
    assert.is(unsigned.code, Code.Unauthenticated);
    assert.equal([f.catalog.hotels.length, f.pricing.rates.length], [0, 0]);
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
  }));

test("malformed pushes, push ids that disagree, pull sellers and unknown sellers are refused", () =>
  withService(async (f) => {
    const garbage = new TextEncoder().encode("{oops");
    const malformed = await kitRejection(
      f.client.receivePush(f.ctx, { sellerId: "wanderly", body: garbage, signature: sign(TEST_SECRET, garbage) }),
    );
    assert.is(malformed.code, Code.InvalidArgument);
    assert.equal(malformed.violations.map((v) => v.field), ["body"]);
    const body = pushBody(ID);
    const signature = sign(TEST_SECRET, body);
    const mismatch = await kitRejection(f.client.receivePush(f.ctx, { sellerId: "wanderly", body, signature, pushId: "other" }));
    assert.equal(mismatch.violations.map((v) => v.field), ["push_id"]);
    assert.is((await kitRejection(f.client.receivePush(f.ctx, { sellerId: "casa", body, signature }))).code, Code.FailedPrecondition);
    assert.is((await kitRejection(f.client.receivePush(f.ctx, { sellerId: "nobody", body, signature }))).code, Code.NotFound);
    const empty = await kitRejection(f.client.receivePush(f.ctx, { sellerId: "wanderly", body: new Uint8Array(), signature }));
    assert.equal(empty.violations.map((v) => v.field), ["body"]);
    assert.equal(await f.counts(), { pushes: 0, coverage: 0, feeds: 0 });
  }));

test("a push whose writes fail is not recorded: the seller's retry is processed", () =>
  withService(async (f) => {
    const body = pushBody(ID);
    const req = { sellerId: "wanderly", body, signature: sign(TEST_SECRET, body) };
    f.pricing.failures = 1;
    assert.is((await kitRejection(f.client.receivePush(f.ctx, req))).code, Code.Unavailable);
    assert.is((await f.counts()).pushes, 0);
    const retry = await f.client.receivePush(f.ctx, req);
    assert.is(retry.duplicate, false);
    assert.is(f.pricing.rates.length, 1);
    assert.is((await f.counts()).pushes, 1);
  }));

test.run();
