// What every adapter factory takes: the HTTP settings of its seller (see
// seller-http.ts) plus the FX table and the clock. Built per seller by
// adapters/index.ts from main.ts's configuration.
import type { FxTable } from "../fx.js";
import type { SellerHttpOptions } from "../seller-http.js";

export interface AdapterOptions extends SellerHttpOptions {
  /** Converts the seller's currency to EUR. */
  fx: FxTable;
  /** The clock: price_time of live quotes. Default () => new Date(). */
  now?: () => Date;
  /** The cap of one listing or bulk-rate page (larger than a quote's). Default 60 000 ms. */
  pullTimeoutMs?: number;
  /** The cap of one booking call. Default 10 000 ms. */
  bookTimeoutMs?: number;
}

export const DEFAULT_PULL_TIMEOUT_MS = 60_000;
/** A booking is worth waiting for longer than a quote: nobody is watching a spinner. */
export const DEFAULT_BOOK_TIMEOUT_MS = 10_000;
