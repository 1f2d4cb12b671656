// Test support only: quotes signed with the development secret, as search signs
// them, for the tests of the services that take them (payment, web, e2e).
import {
  DEVELOPMENT_QUOTE_SECRET,
  quoteSigner,
  quoteTimes,
  quoteVerifier,
  type QuoteInit,
} from "./quotes.js";

/** Every quote of a test run is issued at this time unless told otherwise, so a request built twice is the same request. */
const ISSUED = new Date();
const sign = quoteSigner(DEVELOPMENT_QUOTE_SECRET);
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

/** What verifies quotes signed with the development secret (payment's half). */
export const testPriceQuotes = quoteVerifier(DEVELOPMENT_QUOTE_SECRET);

/**
 * A quote for `customerId` whose card amount is `amountMinor` (listed = amount
 * + markdown; amount ≥ markdown), the flexible option a tenth of the listed
 * price, the wallet balance the markdown (unless `walletMinor`); `issued` moves its validity window.
 */
export function testQuote(
  customerId: string,
  item: QuoteInit["item"],
  amountMinor: bigint,
  markdownMinor: bigint,
  opts: { issued?: Date; walletMinor?: bigint } = {},
): string {
  const listed = amountMinor + markdownMinor;
  return sign({
    item,
    listed: eur(listed),
    markdown: eur(markdownMinor),
    walletAvailable: eur(opts.walletMinor ?? markdownMinor),
    flexible: eur(listed / 10n),
    customerId,
    ...quoteTimes(opts.issued ?? ISSUED),
  });
}
