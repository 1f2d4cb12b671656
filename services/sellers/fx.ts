// Sellers' money into the marketplace's: decimal strings and minor units of a
// seller's currency → EUR integer minor units, through a fixed rate table
// from configuration, rounding half to even. All arithmetic is on bigint, so
// no float ever touches a price.
import { create } from "@bufbuild/protobuf";
import { MoneySchema, type Money } from "../../gen/itinera/type/v1/money_pb.js";

/** The marketplace's currency: everything downstream of sellers is in it. */
export const MARKETPLACE_CURRENCY = "EUR";

/** The sandbox sellers' rates: EUR for one unit of each currency (decimal strings). */
export const SANDBOX_FX_RATES: Readonly<Record<string, string>> = Object.freeze({ USD: "0.92", GBP: "1.17" });

const DECIMAL = /^(\d+)(?:\.(\d+))?$/;

/** A rate or amount as an exact fraction numerator/denominator. */
interface Fraction {
  numerator: bigint;
  denominator: bigint;
}

function parseDecimal(text: string): Fraction | undefined {
  const m = DECIMAL.exec(text.trim());
  if (!m) return undefined;
  const fraction = m[2] ?? "";
  return { numerator: BigInt(m[1]! + fraction), denominator: 10n ** BigInt(fraction.length) };
}

/** numerator / denominator rounded to the nearest integer, ties to the even one (banker's rounding). */
export function divideHalfEven(numerator: bigint, denominator: bigint): bigint {
  if (denominator <= 0n) throw new RangeError("the denominator must be positive");
  const negative = numerator < 0n;
  const n = negative ? -numerator : numerator;
  const quotient = n / denominator;
  const twice = (n % denominator) * 2n;
  const rounded = twice > denominator || (twice === denominator && quotient % 2n === 1n) ? quotient + 1n : quotient;
  return negative ? -rounded : rounded;
}

/** Digits after the decimal point of a currency's minor unit (2 for EUR, 0 for JPY), from ICU. */
export function minorDigits(currency: string): number {
  return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
}

/** "123.45" in `currency` → 12345n minor units (more digits than the currency has: rounded half-even). */
export function decimalToMinor(text: string, currency: string, digits = minorDigits(currency)): bigint {
  const value = parseDecimal(text);
  if (!value) throw new RangeError(`"${text}" is not a decimal amount`);
  return divideHalfEven(value.numerator * 10n ** BigInt(digits), value.denominator);
}

/**
 * A fixed rate table: converts any currency it knows into EUR minor units.
 * Built from config (main.ts) as `new FxTable(SANDBOX_FX_RATES)`; EUR needs no entry.
 */
export class FxTable {
  private readonly rates = new Map<string, Fraction>();
  private readonly digits = new Map<string, number>();

  constructor(eurPerUnit: Readonly<Record<string, string>>) {
    this.rates.set(MARKETPLACE_CURRENCY, { numerator: 1n, denominator: 1n });
    for (const [currency, text] of Object.entries(eurPerUnit)) {
      const rate = parseDecimal(text);
      if (!/^[A-Z]{3}$/.test(currency) || !rate || rate.numerator === 0n) {
        throw new RangeError(`FX rate ${currency}=${text}: expected an ISO-4217 code and a positive decimal`);
      }
      this.rates.set(currency, rate);
    }
  }

  /** The currencies it converts from. */
  currencies(): string[] {
    return [...this.rates.keys()];
  }

  /** `amountMinor` minor units of `currency` in EUR minor units, rounded half-even. */
  toEurMinor(amountMinor: bigint, currency: string): bigint {
    const rate = this.rates.get(currency);
    if (!rate) throw new RangeError(`no FX rate for ${currency}`);
    const from = this.digitsOf(currency);
    const to = this.digitsOf(MARKETPLACE_CURRENCY);
    return divideHalfEven(
      amountMinor * rate.numerator * 10n ** BigInt(to),
      rate.denominator * 10n ** BigInt(from),
    );
  }

  /** A decimal string of `currency` ("123.45") as EUR Money. */
  decimalToEur(text: string, currency: string): Money {
    return this.minorToEur(decimalToMinor(text, currency, this.digitsOf(currency)), currency);
  }

  /** Minor units of `currency` as EUR Money. */
  minorToEur(amountMinor: bigint | number, currency: string): Money {
    return create(MoneySchema, {
      amountMinor: this.toEurMinor(BigInt(amountMinor), currency),
      currency: MARKETPLACE_CURRENCY,
    });
  }

  private digitsOf(currency: string): number {
    let d = this.digits.get(currency);
    if (d === undefined) this.digits.set(currency, (d = minorDigits(currency)));
    return d;
  }
}

/** "USD=0.92,GBP=1.17" (FX_RATES) as a rate table's entries. */
export function parseFxRates(items: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of items) {
    const [currency, rate, extra] = item.split("=").map((s) => s.trim());
    if (!currency || !rate || extra !== undefined) throw new RangeError(`FX rate "${item}" is not CODE=rate`);
    out[currency.toUpperCase()] = rate;
  }
  return out;
}
