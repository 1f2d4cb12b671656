/**
 * Validation rules: small functions that each check one field against one
 * rule and return a FieldViolation, or nothing when the field is fine.
 * `validator` turns a list of them into a per-method `Validator` for the
 * `validation` middleware (endpoints/middleware/validation.ts).
 *
 * Field paths are proto field names ("amount.amount_minor"), never the
 * TypeScript property names. Rule ids are stable, for programs: "required",
 * "max_len", "pattern", "gt_zero", "range", "iso4217", "enum_defined",
 * "date", "date_order". Descriptions are phrases for a person that read
 * after the field name ("amount.amount_minor: must be greater than 0").
 *
 * Example (services/<name>/validators.ts):
 *
 * ```ts
 * import type { Validators } from "../../endpoints/service.js";
 * import { currency, currencyCodes, enumDefined, maxLen, money, pageSize, required, validator } from "../../endpoints/rules.js";
 * import { CreditReasonSchema, WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
 *
 * export function walletValidators(): Validators<typeof WalletService> {
 *   const currencies = currencyCodes(); // computed once per validator set, not per call
 *   return {
 *     credit: validator((req) => [
 *       required("idempotency_key", req.idempotencyKey, { maxLen: 128 }),
 *       required("customer_id", req.customerId, { maxLen: 64 }),
 *       money("amount", req.amount, currencies, { positive: true }),
 *       enumDefined("reason", req.reason, CreditReasonSchema),
 *       maxLen("reference", req.reference, 128),
 *     ]),
 *     listTransactions: validator((req) => [
 *       required("customer_id", req.customerId),
 *       req.currency !== "" && currency("currency", req.currency, currencies), // optional field
 *       pageSize("page_size", req.pageSize, 100),
 *     ]),
 *   };
 * }
 * ```
 *
 * `validator` keeps only the first violation of each field, so rules for the
 * same field can be listed in order of importance (required before max_len)
 * and a person sees one message per field, every bad field at once.
 */
import { isMessage, ScalarType, type DescEnum, type DescMessage } from "@bufbuild/protobuf";
import { reflect, type ReflectMessage } from "@bufbuild/protobuf/reflect";
import type { FieldViolation } from "./errors.js";
import type { Validator } from "./service.js";
import type { Date as CalendarDate } from "../gen/itinera/type/v1/date_pb.js";
import type { Money } from "../gen/itinera/type/v1/money_pb.js";

/** What a rule returns; falsy means "no violation" (so `cond && rule(...)` skips a rule). */
export type Check = FieldViolation | undefined | null | false | readonly Check[];

/** A Validator from a function listing the checks of one request. */
export function validator<I>(checks: (req: I) => readonly Check[]): Validator<I> {
  return (req) => firstPerField(flatten(checks(req)));
}

/** Every violation in `checks`, keeping only the first one for each field. */
export function firstPerField(violations: readonly FieldViolation[]): FieldViolation[] {
  const seen = new Set<string>();
  return violations.filter((v) => !seen.has(v.field) && seen.add(v.field));
}

function flatten(checks: readonly Check[], into: FieldViolation[] = []): FieldViolation[] {
  for (const c of checks) {
    if (!c) continue;
    if (isList(c)) flatten(c, into);
    else into.push(c);
  }
  return into;
}

function isList(c: Check): c is readonly Check[] {
  return Array.isArray(c);
}

/** A violation, for rules this file does not have. */
export function violation(field: string, rule: string, description: string): FieldViolation {
  return { field, description, rule };
}

// ---- presence and strings ----

export interface RequiredOptions {
  /** Also check the length (in characters), rule "max_len". */
  maxLen?: number;
}

/**
 * "required": a string that is not empty or blank, or a message field that
 * is set. With `maxLen`, a string too long breaks "max_len".
 */
export function required(field: string, value: string | object | undefined | null, opts: RequiredOptions = {}): Check {
  if (value === undefined || value === null) return violation(field, "required", "is required");
  if (typeof value === "string") {
    if (value.trim() === "") return violation(field, "required", "must not be empty");
    if (opts.maxLen !== undefined) return maxLen(field, value, opts.maxLen);
  }
  return undefined;
}

/** "max_len": at most `max` characters (code points, not UTF-16 units). An empty string passes. */
export function maxLen(field: string, value: string, max: number): Check {
  // Only count code points when the UTF-16 length could exceed the limit.
  if (value.length <= max || [...value].length <= max) return undefined;
  return violation(field, "max_len", `must be at most ${max} characters`);
}

/** "pattern": the whole string matches `re`; `what` describes it ("a hold id like h_…"). */
export function pattern(field: string, value: string, re: RegExp, what: string): Check {
  return re.test(value) ? undefined : violation(field, "pattern", `must be ${what}`);
}

/**
 * "email": something@something.tld without spaces inside (surrounding spaces
 * pass: services trim), a shape check, not a deliverability check. One linear
 * pass: the regex it replaces (/^\s*[^\s@]+@[^\s@]+\.[^\s@]+\s*$/) took
 * seconds on a 28 KB address of dots.
 */
export function emailAddress(field: string, value: string): Check {
  const text = value.trim();
  const at = text.indexOf("@");
  const domain = text.slice(at + 1);
  const dot = domain.indexOf(".", 1);
  const ok = at > 0 && !domain.includes("@") && dot > 0 && dot < domain.length - 1 && !/\s/.test(text);
  return ok ? undefined : violation(field, "pattern", "must be an e-mail address");
}

// ---- numbers ----

/** "gt_zero": an amount, count or id greater than zero. int64 fields are bigint. */
export function positive(field: string, value: bigint | number): Check {
  return value > 0 ? undefined : violation(field, "gt_zero", "must be greater than 0");
}

/** "range": an integer from `min` to `max`, both included. */
export function intRange(field: string, value: number | bigint, min: number | bigint, max: number | bigint): Check {
  const ok = (typeof value === "number" ? Number.isInteger(value) : true) && value >= min && value <= max;
  return ok ? undefined : violation(field, "range", `must be a whole number from ${min} to ${max}`);
}

/** "range": a page size from 1 to `max`, or 0 for the server's default. */
export function pageSize(field: string, value: number, max = 100): Check {
  return Number.isInteger(value) && value >= 0 && value <= max
    ? undefined
    : violation(field, "range", `must be from 1 to ${max} (or 0 for the default)`);
}

// ---- enums ----

/**
 * "enum_defined": an enum that is not its UNSPECIFIED zero value and, when
 * `schema` is given, is one of the values the contract defines.
 */
export function enumDefined(field: string, value: number, schema?: DescEnum): Check {
  const known = schema === undefined || schema.values.some((v) => v.number === value);
  if (value !== 0 && known) return undefined;
  const names = schema?.values.filter((v) => v.number !== 0).map((v) => v.name);
  return violation(field, "enum_defined", names ? `must be one of ${names.join(", ")}` : "must be set");
}

// ---- money ----

/** The ISO-4217 codes this runtime knows (ICU's list). Compute once per validator set. */
export function currencyCodes(): ReadonlySet<string> {
  return new Set(Intl.supportedValuesOf("currency"));
}

/** "iso4217": an upper-case ISO-4217 code in `codes` (from currencyCodes()). */
export function currency(field: string, value: string, codes: ReadonlySet<string>): Check {
  if (value === "") return violation(field, "required", "must not be empty");
  return codes.has(value) ? undefined : violation(field, "iso4217", "must be an ISO-4217 code such as EUR");
}

export interface MoneyOptions {
  /** amount_minor must be greater than 0 ("gt_zero"); otherwise any value passes. */
  positive?: boolean;
}

/**
 * An `itinera.type.v1.Money` field: set ("required"), its currency known
 * ("iso4217" at `<field>.currency`) and, with `positive`, its amount_minor
 * greater than 0 ("gt_zero" at `<field>.amount_minor`).
 */
export function money(field: string, value: Money | undefined, codes: ReadonlySet<string>, opts: MoneyOptions = {}): Check {
  if (value === undefined) return violation(field, "required", "is required");
  return [
    opts.positive && positive(`${field}.amount_minor`, value.amountMinor),
    currency(`${field}.currency`, value.currency, codes),
  ];
}

// ---- dates ----

/** "date": an `itinera.type.v1.Date` that is a real calendar day (year 1 to 9999); "required" when unset. */
export function date(field: string, value: CalendarDate | undefined): Check {
  if (value === undefined) return violation(field, "required", "is required");
  return isCalendarDate(value) ? undefined : violation(field, "date", "must be a real calendar date (year 1 to 9999)");
}

/**
 * "date_order": `later` is after `earlier` (strictly), as check-out after
 * check-in. Reported on the later field; skipped when either date is invalid
 * (their own `date` rule reports that).
 */
export function dateAfter(
  field: string,
  later: CalendarDate | undefined,
  earlierField: string,
  earlier: CalendarDate | undefined,
): Check {
  if (!later || !earlier || !isCalendarDate(later) || !isCalendarDate(earlier)) return undefined;
  return compareDates(later, earlier) > 0 ? undefined : violation(field, "date_order", `must be after ${earlierField}`);
}

export function isCalendarDate(d: { year: number; month: number; day: number }): boolean {
  return (
    Number.isInteger(d.year) && d.year >= 1 && d.year <= 9999 &&
    Number.isInteger(d.month) && d.month >= 1 && d.month <= 12 &&
    Number.isInteger(d.day) && d.day >= 1 && d.day <= daysInMonth(d.year, d.month)
  );
}

/** Negative, zero or positive as `a` is before, on or after `b`. */
export function compareDates(a: CalendarDate, b: CalendarDate): number {
  return a.year - b.year || a.month - b.month || a.day - b.day;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

// ---- repeated fields ----

/** Checks each element of a repeated field; `check` gets the element's path ("items[2]"). */
export function each<T>(field: string, items: readonly T[], check: (path: string, item: T) => Check): Check {
  return items.map((item, i) => check(`${field}[${i}]`, item));
}

// ---- text anywhere in a request ----

/** Violations reported at most per request: a list of bad strings must not make a huge error. */
const MAX_TEXT_VIOLATIONS = 10;

/**
 * "text": every string in a request — nested messages, lists and maps
 * included — is well-formed Unicode (no lone surrogate) without the NUL
 * character, which PostgreSQL's text and jsonb columns refuse. The validation
 * middleware applies it to every request of every method, before the
 * method's own validator.
 */
export function textViolations(desc: DescMessage, message: unknown): FieldViolation[] {
  const out: FieldViolation[] = [];
  if (isMessage(message, desc)) visitText(reflect(desc, message), "", out);
  return out;
}

function visitText(m: ReflectMessage, prefix: string, out: FieldViolation[]): void {
  for (const f of m.fields) {
    if (out.length >= MAX_TEXT_VIOLATIONS) return;
    if (!m.isSet(f)) continue;
    const path = prefix + f.name;
    switch (f.fieldKind) {
      case "scalar":
        if (f.scalar === ScalarType.STRING) checkText(path, m.get(f), out);
        break;
      case "message":
        visitText(m.get(f), `${path}.`, out);
        break;
      case "list":
        for (const [i, v] of m.get(f).entries()) {
          if (f.listKind === "message") visitText(v as ReflectMessage, `${path}[${i}].`, out);
          else if (f.scalar === ScalarType.STRING) checkText(`${path}[${i}]`, v, out);
        }
        break;
      case "map":
        for (const [k, v] of m.get(f)) {
          const at = `${path}[${String(k)}]`;
          checkText(`${path} key`, k, out);
          if (f.mapKind === "message") visitText(v as ReflectMessage, `${at}.`, out);
          else if (f.scalar === ScalarType.STRING) checkText(at, v, out);
        }
        break;
    }
  }
}

/** A UTF-16 surrogate without its pair (linear: one look-around of one unit). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function checkText(field: string, value: unknown, out: FieldViolation[]): void {
  if (typeof value !== "string" || out.length >= MAX_TEXT_VIOLATIONS) return;
  if (value.includes("\u0000")) out.push(violation(field, "text", "must not contain the NUL character (U+0000)"));
  else if (LONE_SURROGATE.test(value)) out.push(violation(field, "text", "must be well-formed Unicode text (a lone surrogate is not)"));
}
