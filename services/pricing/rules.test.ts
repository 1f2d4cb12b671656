// Rules as CEL data: compiled once, refused at load with the rule's name when
// they cannot work; the seeded TTL grows with the days to departure, and the
// jitter stays within ±4 %.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { jitteredTtlMs, TTL_JITTER } from "./flight-fares.js";
import { compileRules, PricingRules, RuleError, type CompileCache, type RuleRow } from "./rules.js";

const TTL: RuleRow = {
  name: "ttl-by-days-to-departure",
  kind: "ttl",
  expression: "days_to_departure <= 1 ? 60 : days_to_departure <= 7 ? 600 : days_to_departure <= 30 ? 3600 : 21600",
  priority: 100,
  percentOff: null,
};
const EARLY_BIRD: RuleRow = {
  name: "early-bird",
  kind: "promotion",
  expression: "nights >= 5 && days_to_checkin >= 30",
  priority: 100,
  percentOff: 10,
};

function refusal(rows: RuleRow[]): RuleError {
  try {
    compileRules(rows);
  } catch (e) {
    assert.instance(e, RuleError);
    return e as RuleError;
  }
  throw new Error("expected the rules to be refused");
}

test("the seeded TTL grows with the days to departure", () => {
  const rules = compileRules([TTL, EARLY_BIRD]);
  const ttl = (days: number) => rules.ttlSeconds({ daysToDeparture: days, origin: "LIS", destination: "MAD" });
  assert.equal([0, 1, 2, 7, 8, 30, 31, 200].map(ttl), [60, 60, 600, 600, 3600, 3600, 21600, 21600]);
  for (let d = 0; d < 366; d++) assert.ok(ttl(d + 1) >= ttl(d), `never shorter further away (${d} days)`);
});

test("jitter keeps a TTL within ±4 %: a 5 s TTL expires between 4.8 s and 5.2 s", () => {
  assert.is(TTL_JITTER, 0.04);
  assert.is(jitteredTtlMs(5, () => 0), 4800);
  assert.is(jitteredTtlMs(5, () => 0.5), 5000);
  assert.is(jitteredTtlMs(5, () => 0.999_999_9), 5200);
  let seed = 7;
  const lcg = () => ((seed = (seed * 1_103_515_245 + 12_345) % 2 ** 31) / 2 ** 31);
  const seen = Array.from({ length: 1000 }, () => jitteredTtlMs(3600, lcg));
  assert.ok(seen.every((ms) => ms >= 3_456_000 && ms <= 3_744_000), "every draw within ±4 %");
  assert.ok(new Set(seen).size > 100, "and spread, so that entries do not expire together");
});

test("the first promotion by priority that applies wins; none applies outside its expression", () => {
  const lastMinute: RuleRow = { name: "last-minute", kind: "promotion", expression: "days_to_checkin <= 2", priority: 50, percentOff: 15 };
  const weekend: RuleRow = {
    name: "weekend",
    kind: "promotion",
    expression: "check_in_weekday == 5 && nights == 2",
    priority: 200,
    percentOff: 5,
  };
  const rules = compileRules([TTL, EARLY_BIRD, lastMinute, weekend]);
  const stay = (nights: number, days: number, checkIn = "2026-06-03") => rules.promotion({ nights, daysToCheckin: days, checkIn });
  assert.equal(stay(5, 30), { name: "early-bird", percentOff: 10 });
  assert.equal(stay(4, 30), undefined);
  assert.equal(stay(5, 29), undefined);
  assert.equal(stay(1, 1), { name: "last-minute", percentOff: 15 });
  assert.equal(stay(2, 10, "2026-06-05"), { name: "weekend", percentOff: 5 }, "2026-06-05 is a Friday");
  assert.equal(stay(2, 10, "2026-06-06"), undefined);
});

test("a rule that does not compile is refused with its name", () => {
  const e = refusal([TTL, { ...EARLY_BIRD, name: "broken-bird", expression: "nights >= " }]);
  assert.is(e.rule, "broken-bird");
  assert.match(e.message, /rule "broken-bird": does not compile/);
});

test("a rule naming an unknown variable or giving the wrong type is refused when loaded", () => {
  assert.is(refusal([TTL, { ...EARLY_BIRD, name: "typo", expression: "night >= 5" }]).rule, "typo");
  assert.match(refusal([TTL, { ...EARLY_BIRD, name: "number", expression: "nights * 2" }]).message, /true or false/);
  assert.match(refusal([{ ...TTL, expression: "days_to_departure > 3 ? 'long' : 60" }]).message, /number of seconds/);
  assert.match(refusal([{ ...TTL, expression: "days_to_departure - 400" }]).message, /must be positive/);
  assert.match(refusal([EARLY_BIRD]).message, /no active ttl rule/);
  assert.match(refusal([TTL, { ...EARLY_BIRD, percentOff: null }]).message, /percent_off/);
});

test("each expression is compiled once, and again only when its text changes", async () => {
  const cache: CompileCache = new Map();
  compileRules([TTL, EARLY_BIRD], cache);
  const first = [...cache.values()];
  compileRules([TTL, EARLY_BIRD], cache);
  assert.equal([...cache.values()], first, "the same plans");
  compileRules([TTL, { ...EARLY_BIRD, expression: "nights >= 6" }], cache);
  assert.is(cache.size, 3);

  let rows = [TTL, EARLY_BIRD];
  const rules = await PricingRules.load(async () => rows);
  rows = [TTL, { ...EARLY_BIRD, expression: "nights >= 6 &&" }];
  const error = await rules.reload();
  assert.is(error?.rule, "early-bird");
  assert.equal(rules.current.promotion({ nights: 5, daysToCheckin: 40, checkIn: "2026-06-03" })?.name, "early-bird", "the previous rules stay in force");
  rows = [TTL, { ...EARLY_BIRD, expression: "nights >= 6" }];
  assert.is(await rules.reload(), undefined);
  assert.is(rules.current.promotion({ nights: 5, daysToCheckin: 40, checkIn: "2026-06-03" }), undefined, "the new rule is in force");
});

test.run();
