import { test } from "uvu";
import * as assert from "uvu/assert";
import { SearchCache, type CacheResult } from "./cache.js";

function setup(o: { ttlMs?: number; maxEntries?: number; live?: boolean; random?: () => number } = {}) {
  let now = 1_000_000;
  const results: CacheResult[] = [];
  const cache = new SearchCache<string>({
    ttlMs: o.ttlMs ?? 60_000,
    maxEntries: o.maxEntries ?? 100,
    live: o.live,
    observe: (r) => results.push(r),
    now: () => now,
    random: o.random ?? (() => 0.5),
  });
  let loads = 0;
  const load = (value: string) => () => {
    loads++;
    return Promise.resolve(value);
  };
  return { cache, results, load, loads: () => loads, advance: (ms: number) => (now += ms) };
}

const lisbon = (from = "2027-03-01", to = "2027-03-03") => ({ scope: () => ({ hotels: ["h1", "h2"], nights: { from, to } }) });

test("a stored value is served until its TTL, then loaded again", async () => {
  const s = setup();
  assert.is(await s.cache.get("k", s.load("a"), lisbon()), "a");
  assert.is(await s.cache.get("k", s.load("b"), lisbon()), "a");
  s.advance(59_999);
  assert.is(await s.cache.get("k", s.load("c"), lisbon()), "a");
  s.advance(1);
  assert.is(await s.cache.get("k", s.load("d"), lisbon()), "d");
  assert.equal(s.results, ["miss", "hit", "hit", "miss"]);
});

test("the TTL is jittered by at most 4 % either way", async () => {
  for (const [random, lives] of [[0, 57_600], [0.999999, 62_400]] as const) {
    const s = setup({ random: () => random });
    await s.cache.get("k", s.load("a"), lisbon());
    s.advance(lives - 1);
    assert.is(await s.cache.get("k", s.load("b"), lisbon()), "a", `alive just before ${lives} ms`);
    s.advance(1);
    assert.is(await s.cache.get("k", s.load("c"), lisbon()), "c", `expired at ${lives} ms`);
  }
});

test("searches that miss together share one load", async () => {
  const s = setup();
  let release!: (v: string) => void;
  let loads = 0;
  const slow = () => {
    loads++;
    return new Promise<string>((r) => (release = r));
  };
  const all = Promise.all([s.cache.get("k", slow, lisbon()), s.cache.get("k", slow, lisbon()), s.cache.get("k", slow, lisbon())]);
  release("a");
  assert.equal(await all, ["a", "a", "a"]);
  assert.is(loads, 1);
  assert.equal(s.results, ["miss", "shared", "shared"]);
});

test("a failed load is not kept, and every waiter sees the failure", async () => {
  const s = setup();
  const failing = () => Promise.reject(new Error("pricing is down"));
  const [a, b] = await Promise.allSettled([s.cache.get("k", failing, lisbon()), s.cache.get("k", failing, lisbon())]);
  assert.is(a.status, "rejected");
  assert.is(b.status, "rejected");
  assert.is(await s.cache.get("k", s.load("a"), lisbon()), "a");
  assert.is(s.loads(), 1);
});

test("a value `keep` refuses is returned but not stored", async () => {
  const s = setup();
  assert.is(await s.cache.get("k", s.load("stale"), { ...lisbon(), keep: (v) => v !== "stale" }), "stale");
  assert.is(await s.cache.get("k", s.load("fresh"), { ...lisbon(), keep: (v) => v !== "stale" }), "fresh");
  assert.is(await s.cache.get("k", s.load("other"), lisbon()), "fresh");
  assert.equal(s.results, ["miss", "unkept", "miss", "hit"]);
});

test("a change drops the entries holding one of its hotels on one of its nights, and no other", async () => {
  const s = setup();
  await s.cache.get("march", s.load("m"), lisbon("2027-03-01", "2027-03-03"));
  await s.cache.get("april", s.load("a"), lisbon("2027-04-10", "2027-04-12"));
  await s.cache.get("porto", s.load("p"), { scope: () => ({ hotels: ["h9"], nights: { from: "2027-03-01", to: "2027-03-03" } }) });
  s.cache.invalidate({ hotels: ["h2"], nights: { from: "2027-03-03", to: "2027-03-20" } });
  assert.is(await s.cache.get("march", s.load("m2"), lisbon()), "m2", "h2 on the night of 3 March changed");
  assert.is(await s.cache.get("april", s.load("a2"), lisbon()), "a", "April did not change");
  assert.is(await s.cache.get("porto", s.load("p2"), lisbon()), "p", "h9 did not change");
  s.cache.invalidate({ hotels: ["h1"] });
  assert.is(await s.cache.get("april", s.load("a3"), lisbon()), "a3", "every night of h1 changed");
  s.cache.invalidate({});
  assert.is(await s.cache.get("porto", s.load("p3"), lisbon()), "p3", "everything changed");
});

test("a load overtaken by a change is returned but not stored", async () => {
  const s = setup();
  let release!: (v: string) => void;
  const pending = s.cache.get("k", () => new Promise<string>((r) => (release = r)), lisbon());
  s.cache.invalidate({ hotels: ["h1"] });
  release("before the change");
  assert.is(await pending, "before the change");
  assert.is(await s.cache.get("k", s.load("after"), lisbon()), "after");
});

test("the least recently used entry goes first when the cache is full", async () => {
  const s = setup({ maxEntries: 2 });
  await s.cache.get("a", s.load("a"), lisbon());
  await s.cache.get("b", s.load("b"), lisbon());
  await s.cache.get("a", s.load("a2"), lisbon()); // a is now the most recent
  await s.cache.get("c", s.load("c"), lisbon()); // b goes
  assert.is(s.cache.size, 2);
  assert.is(await s.cache.get("a", s.load("a3"), lisbon()), "a");
  assert.is(await s.cache.get("b", s.load("b2"), lisbon()), "b2");
});

test("while not live nothing is served or kept; live again, it starts empty", async () => {
  const s = setup({ live: false });
  assert.is(await s.cache.get("k", s.load("a"), lisbon()), "a");
  assert.is(await s.cache.get("k", s.load("b"), lisbon()), "b");
  s.cache.setLive(true);
  assert.is(await s.cache.get("k", s.load("c"), lisbon()), "c");
  assert.is(await s.cache.get("k", s.load("d"), lisbon()), "c");
  s.cache.setLive(false);
  assert.is(await s.cache.get("k", s.load("e"), lisbon()), "e");
  s.cache.setLive(true);
  assert.is(await s.cache.get("k", s.load("f"), lisbon()), "f");
  assert.equal(s.results, ["off", "off", "miss", "hit", "off", "miss"]);
});

test("a value with an expiry of its own goes then, if before the TTL", async () => {
  const s = setup();
  const until = (ms: number) => ({ ...lisbon(), expiresAt: () => 1_000_000 + ms });
  await s.cache.get("soon", s.load("a"), until(10_000));
  await s.cache.get("late", s.load("b"), until(3_600_000));
  s.advance(10_000);
  assert.is(await s.cache.get("soon", s.load("a2"), until(0)), "a2", "its own expiry came first");
  assert.is(await s.cache.get("late", s.load("b2"), until(0)), "b", "the TTL comes first");
  s.advance(50_000);
  assert.is(await s.cache.get("late", s.load("b3"), until(0)), "b3");
});

test("a TTL of 0 turns the cache off", async () => {
  const s = setup({ ttlMs: 0 });
  await s.cache.get("k", s.load("a"), lisbon());
  await s.cache.get("k", s.load("b"), lisbon());
  assert.is(s.loads(), 2);
});

test.run();
