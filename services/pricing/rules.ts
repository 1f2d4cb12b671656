// Pricing rules kept as data: CEL expressions in the rules table, evaluated
// with @bufbuild/cel. Each expression is parsed and planned once, when it is
// loaded (and again only when its text changes), then checked by evaluating
// it over the whole domain it will see, so that a rule that cannot work is
// refused when it is loaded rather than on some later request.
//
//   ttl        a number of seconds a cached fare lives (before jitter), from
//              days_to_departure (int), origin and destination (strings).
//   promotion  a bool: does this stay get the rule's percent_off? From
//              nights, days_to_checkin, check_in_weekday (0 = Sunday) and
//              check_in_month (1 to 12), all ints.
import { CelScalar, celEnv, isCelError, parse, plan, type CelValue } from "@bufbuild/cel";
import { addDays, weekday, type IsoDate } from "./dates.js";

export type RuleKind = "ttl" | "promotion";

/** A row of the rules table. */
export interface RuleRow {
  name: string;
  kind: RuleKind;
  expression: string;
  priority: number;
  /** Promotions only: 1 to 100. */
  percentOff: number | null;
}

export interface TtlInput {
  daysToDeparture: number;
  origin: string;
  destination: string;
}

export interface StayInput {
  nights: number;
  daysToCheckin: number;
  checkIn: IsoDate;
}

export interface Promotion {
  name: string;
  percentOff: number;
}

/** The active rules, compiled. */
export interface CompiledRules {
  /** Seconds a fare is cached, before jitter; from the first ttl rule. */
  ttlSeconds(input: TtlInput): number;
  /** The first promotion (by priority) whose expression is true for the stay. */
  promotion(input: StayInput): Promotion | undefined;
}

/** A rule that does not compile or does not evaluate to what its kind needs. */
export class RuleError extends Error {
  override name = "RuleError";
  constructor(
    readonly rule: string,
    message: string,
  ) {
    super(`rule "${rule}": ${message}`);
  }
}

const TTL_VARIABLES = { days_to_departure: CelScalar.INT, origin: CelScalar.STRING, destination: CelScalar.STRING };
const STAY_VARIABLES = {
  nights: CelScalar.INT,
  days_to_checkin: CelScalar.INT,
  check_in_weekday: CelScalar.INT,
  check_in_month: CelScalar.INT,
};
const ttlEnv = () => celEnv({ variables: TTL_VARIABLES });
const stayEnv = () => celEnv({ variables: STAY_VARIABLES });

/** Days to departure a fare can be asked for (validators.ts) and stays promotions see (ingestion). */
export const TTL_DOMAIN_DAYS = { min: -1, max: 366 };
export const PROMOTION_DOMAIN = { maxNights: 7, days: 90 };

type Evaluate = (bindings: Record<string, bigint | string>) => CelValue | Error;

/** Parsed and planned expressions by kind and text: a reload compiles only what changed. */
export type CompileCache = Map<string, Evaluate>;

/**
 * Compiles the active rules (rows as the table lists them, inactive ones
 * already left out). Throws RuleError naming the first rule that fails.
 */
export function compileRules(rows: readonly RuleRow[], cache: CompileCache = new Map()): CompiledRules {
  const ordered = [...rows].sort((a, b) => a.priority - b.priority || a.name.localeCompare(b.name));
  const ttlRow = ordered.find((r) => r.kind === "ttl");
  if (!ttlRow) throw new RuleError("ttl", "no active ttl rule: fares could not be cached");
  const ttl = compiled(ttlRow, cache);
  const promotions = ordered
    .filter((r) => r.kind === "promotion")
    .map((r) => {
      if (r.percentOff === null || !Number.isInteger(r.percentOff) || r.percentOff < 1 || r.percentOff > 100) {
        throw new RuleError(r.name, "a promotion needs percent_off from 1 to 100");
      }
      return { name: r.name, percentOff: r.percentOff, evaluate: compiled(r, cache) };
    });

  const rules: CompiledRules = {
    ttlSeconds(input) {
      return seconds(ttlRow.name, ttl(ttlBindings(input)));
    },
    promotion(input) {
      const bindings = stayBindings(input);
      for (const p of promotions) {
        if (truth(p.name, p.evaluate(bindings))) return { name: p.name, percentOff: p.percentOff };
      }
      return undefined;
    },
  };
  probe(rules, ttlRow.name);
  return rules;
}

function compiled(row: RuleRow, cache: CompileCache): Evaluate {
  const key = `${row.kind}\n${row.expression}`;
  let evaluate = cache.get(key);
  if (!evaluate) {
    try {
      evaluate = plan(row.kind === "ttl" ? ttlEnv() : stayEnv(), parse(row.expression)) as Evaluate;
    } catch (e) {
      throw new RuleError(row.name, `does not compile: ${e instanceof Error ? e.message : String(e)}`);
    }
    cache.set(key, evaluate);
  }
  return evaluate;
}

/** Evaluates every rule over the inputs it will meet; throws RuleError at the first that fails. */
function probe(rules: CompiledRules, ttlRule: string) {
  for (let days = TTL_DOMAIN_DAYS.min; days <= TTL_DOMAIN_DAYS.max; days++) {
    const s = rules.ttlSeconds({ daysToDeparture: days, origin: "LIS", destination: "MAD" });
    if (!(s > 0)) throw new RuleError(ttlRule, `gives ${s} seconds for ${days} days to departure; it must be positive`);
  }
  const reference = "2026-01-01";
  for (let days = 0; days < PROMOTION_DOMAIN.days + 7; days++) {
    for (let nights = 1; nights <= PROMOTION_DOMAIN.maxNights; nights++) {
      rules.promotion({ nights, daysToCheckin: days, checkIn: addDays(reference, days) });
    }
  }
}

function ttlBindings(i: TtlInput) {
  return { days_to_departure: BigInt(i.daysToDeparture), origin: i.origin, destination: i.destination };
}

function stayBindings(i: StayInput) {
  return {
    nights: BigInt(i.nights),
    days_to_checkin: BigInt(i.daysToCheckin),
    check_in_weekday: BigInt(weekday(i.checkIn)),
    check_in_month: BigInt(Number(i.checkIn.slice(5, 7))),
  };
}

function seconds(rule: string, value: CelValue | Error): number {
  if (isCelError(value) || value instanceof Error) throw new RuleError(rule, `failed: ${value.message}`);
  const n = typeof value === "bigint" ? Number(value) : value;
  if (typeof n !== "number" || !Number.isFinite(n)) throw new RuleError(rule, "must give a number of seconds");
  return n;
}

function truth(rule: string, value: CelValue | Error): boolean {
  if (isCelError(value) || value instanceof Error) throw new RuleError(rule, `failed: ${value.message}`);
  if (typeof value !== "boolean") throw new RuleError(rule, "a promotion must give true or false");
  return value;
}

/**
 * The rules of a running service: loaded (and compiled) at start, reloaded
 * on demand. A reload that meets a broken rule keeps the rules in force.
 */
export class PricingRules {
  private readonly cache: CompileCache = new Map();
  private compiled: CompiledRules;

  private constructor(
    private readonly source: () => Promise<RuleRow[]>,
    rows: RuleRow[],
  ) {
    this.compiled = compileRules(rows, this.cache);
  }

  /** Loads and compiles the rules; throws RuleError naming a rule that fails (the service must not start). */
  static async load(source: () => Promise<RuleRow[]>): Promise<PricingRules> {
    return new PricingRules(source, await source());
  }

  get current(): CompiledRules {
    return this.compiled;
  }

  /** Reads the table again; on a broken rule keeps the previous rules and returns the error. */
  async reload(): Promise<RuleError | undefined> {
    const rows = await this.source();
    try {
      this.compiled = compileRules(rows, this.cache);
      return undefined;
    } catch (e) {
      if (e instanceof RuleError) return e;
      throw e;
    }
  }
}
