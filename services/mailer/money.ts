// Amounts as customers read them in e-mails: "EUR 123.45", "JPY 500" —
// exact for any int64 of minor units (no float ever touches the amount).
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";

/** Minor-unit digits of a currency as Intl knows them (2 when it does not). */
function digitsOf(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "EUR 123.45" from 12345n and "EUR"; "EUR -0.05" from -5n. */
export function formatAmount(minor: bigint, currency: string): string {
  const digits = digitsOf(currency);
  const sign = minor < 0n ? "-" : "";
  const units = (minor < 0n ? -minor : minor).toString().padStart(digits + 1, "0");
  const whole = digits === 0 ? units : `${units.slice(0, -digits)}.${units.slice(-digits)}`;
  return `${currency} ${sign}${whole}`;
}

/** A Money field as text; an absent one is zero in `currency`. */
export function formatMoney(m: Money | undefined, currency: string): string {
  return formatAmount(m?.amountMinor ?? 0n, m?.currency || currency);
}
