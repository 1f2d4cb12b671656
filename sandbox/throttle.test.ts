import { test } from "uvu";
import * as assert from "uvu/assert";
import { TokenBucket } from "./throttle.js";

test("a full bucket admits the burst, then refuses with the seconds until a token is back", () => {
  let now = 1_000_000;
  const bucket = new TokenBucket({ ratePerSec: 2, burst: 5, now: () => now });
  for (let i = 0; i < 5; i++) assert.equal(bucket.take(), { ok: true });
  assert.equal(bucket.take(), { ok: false, retryAfterSec: 1 });
  now += 499;
  assert.is(bucket.take().ok, false, "not yet half a second: no whole token");
  now += 1;
  assert.is(bucket.take().ok, true, "2 tokens a second: one after 500 ms");
  assert.is(bucket.take().ok, false);
  now += 60_000;
  for (let i = 0; i < 5; i++) assert.is(bucket.take().ok, true, "refills up to the burst, no more");
  assert.is(bucket.take().ok, false);
});

test("a slow rate asks to come back later; reset fills it again", () => {
  let now = 0;
  const bucket = new TokenBucket({ ratePerSec: 0.1, burst: 1, now: () => now });
  assert.is(bucket.take().ok, true);
  assert.equal(bucket.take(), { ok: false, retryAfterSec: 10 });
  bucket.reset();
  assert.is(bucket.take().ok, true);
});

test("nonsense settings are refused", () => {
  assert.throws(() => new TokenBucket({ ratePerSec: 0 }));
  assert.throws(() => new TokenBucket({ burst: 0 }));
});

test.run();
