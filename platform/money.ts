// Amounts for people — error messages, e-mails: "EUR 12.00", "JPY 500",
// exact for any int64 of minor units (no float ever touches the amount).
// A value helper every service may share, like the generated Money type.

/** How many minor-unit digits a currency has (2 for EUR, 0 for JPY, 3 for BHD). */
export function minorDigits(currency: string): number {
  try {
    return new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    return 2;
  }
}

/** "EUR 12.00" from 1200n and "EUR"; "EUR -0.05" from -5n. */
export function formatMoney(amountMinor: bigint, currency: string): string {
  const digits = minorDigits(currency);
  const sign = amountMinor < 0n ? "-" : "";
  const abs = (amountMinor < 0n ? -amountMinor : amountMinor).toString();
  if (digits === 0) return `${currency} ${sign}${abs}`;
  const padded = abs.padStart(digits + 1, "0");
  return `${currency} ${sign}${padded.slice(0, -digits)}.${padded.slice(-digits)}`;
}

/**
 * What the wallet takes off a listed price: the available balance, but at most
 * half the price, so that the card always pays the rest (a payment goes
 * through the card gateway; a booking paid wholly from the wallet would have
 * no card payment to refund or to start the saga). A $500 room with $100 in
 * the wallet costs $400; with $400 in the wallet it costs $250.
 */
export function walletMarkdown(listedMinor: bigint, balanceMinor: bigint): bigint {
  const cap = listedMinor / 2n;
  const balance = balanceMinor > 0n ? balanceMinor : 0n;
  return balance < cap ? balance : cap;
}

/**
 * The price of the flexible option (free cancellation once confirmed): a
 * tenth of the listed price, rounded up to a whole minor unit. A EUR 120.00
 * room is EUR 12.00 more with free cancellation.
 */
export function flexiblePrice(listedMinor: bigint): bigint {
  return listedMinor <= 0n ? 0n : (listedMinor + 9n) / 10n;
}
