// Money is integer minor units (bigint) of one currency. Amounts are added and
// compared as bigints and only turned into text at the end, through a decimal
// string (never a float), so 0.1 + 0.2 problems cannot reach a price.
/** Money as the contract carries it (itinera.type.v1.Money) or as the page adds it up. */
export interface MoneyLike {
  amountMinor: bigint;
  currency: string;
}

/** The app's one locale: the pages are written in English. */
export const LOCALE = "en-GB";

const digitsCache = new Map<string, number>();

/** How many minor-unit digits a currency has (EUR 2, JPY 0, BHD 3). */
export function currencyDigits(currency: string): number {
  let digits = digitsCache.get(currency);
  if (digits === undefined) {
    digits = new Intl.NumberFormat(LOCALE, { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
    digitsCache.set(currency, digits);
  }
  return digits;
}

/** 12345n with 2 digits → "123.45"; -5n → "-0.05"; 500n with 0 digits → "500". */
export function minorToDecimal(minor: bigint, digits: number): `${number}` {
  const negative = minor < 0n;
  const text = (negative ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = text.slice(0, text.length - digits);
  const fraction = digits > 0 ? "." + text.slice(text.length - digits) : "";
  return `${negative ? "-" : ""}${whole}${fraction}` as `${number}`;
}

/** "€123.45" — empty for a missing amount or currency. */
export function formatMoney(money: MoneyLike | undefined, locale: string = LOCALE): string {
  if (!money || !money.currency) return "";
  const digits = currencyDigits(money.currency);
  return new Intl.NumberFormat(locale, {
    style: "currency",
    currency: money.currency,
    minimumFractionDigits: digits,
    maximumFractionDigits: digits,
  }).format(minorToDecimal(money.amountMinor, digits));
}

/**
 * What a person typed as an amount ("120", "120.5", "1,200.50") in minor units
 * of the currency; undefined when it is not an amount. Extra decimals are an
 * error rather than rounded: a filter must not guess.
 */
export function parseMajor(text: string, currency: string): bigint | undefined {
  const cleaned = text.trim().replace(/[,\s]/g, "");
  const match = /^(\d+)(?:\.(\d*))?$/.exec(cleaned);
  if (!match) return undefined;
  const digits = currencyDigits(currency);
  const fraction = match[2] ?? "";
  if (fraction.length > digits) return undefined;
  return BigInt(match[1] + fraction.padEnd(digits, "0"));
}

/** True when the money is there and above zero. */
export const isPositive = (money: MoneyLike | undefined): money is MoneyLike => !!money && money.amountMinor > 0n;

/** The sum of amounts in one currency; undefined if any is missing or currencies differ. */
export function sumMoney(parts: (MoneyLike | undefined)[]): MoneyLike | undefined {
  let currency: string | undefined;
  let total = 0n;
  for (const part of parts) {
    if (!part || !part.currency) return undefined;
    if (currency !== undefined && currency !== part.currency) return undefined;
    currency = part.currency;
    total += part.amountMinor;
  }
  return currency === undefined ? undefined : { amountMinor: total, currency };
}
