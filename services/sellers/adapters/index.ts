// The sellers we know: adding one is one adapter file in this folder plus
// one line here. An immutable table (data, not a mutable registry): main.ts
// reads each seller's URL variable from the environment and builds the
// adapters with createAdapters.
import type { SellerAdapter } from "../adapter.js";
import type { FxTable } from "../fx.js";
import type { SellerBreakerOptions, SellerHttpOptions } from "../seller-http.js";
import type { ThrottleOptions } from "../throttle.js";
import { casaAdapter } from "./casa.js";
import type { AdapterOptions } from "./options.js";
import { skylarkAdapter } from "./skylark.js";
import { wanderlyAdapter } from "./wanderly.js";

export interface SellerRegistration {
  /** Our id of the seller. */
  id: string;
  /** The environment variable holding its API's root URL, and the URL when unset. */
  urlVariable: string;
  defaultUrl: string;
  create: (opts: AdapterOptions) => SellerAdapter;
}

export const SELLER_REGISTRY: readonly SellerRegistration[] = Object.freeze([
  { id: "skylark", urlVariable: "SANDBOX_AIRLINE_URL", defaultUrl: "http://127.0.0.1:7101", create: skylarkAdapter },
  { id: "casa", urlVariable: "SANDBOX_HOTELS_URL", defaultUrl: "http://127.0.0.1:7102", create: casaAdapter },
  { id: "wanderly", urlVariable: "SANDBOX_PUSH_URL", defaultUrl: "http://127.0.0.1:7103", create: wanderlyAdapter },
]);

/** What every seller gets (per-seller values would go into its registration). */
export interface AdapterSettings {
  fx: FxTable;
  /** Our side of each seller's throttle. Default 40 requests/s, burst 20 (the sandbox allows 50/s, burst 100). */
  throttle?: ThrottleOptions;
  breaker?: SellerBreakerOptions;
  /** One quote request's cap. Default 5000 ms. */
  timeoutMs?: number;
  /** One listing or bulk page's cap. Default 60 000 ms. */
  pullTimeoutMs?: number;
  /** One booking call's cap. Default 10 000 ms. */
  bookTimeoutMs?: number;
  now?: () => Date;
  onBreakerChange?: SellerHttpOptions["onBreakerChange"];
}

export const DEFAULT_THROTTLE: ThrottleOptions = Object.freeze({ ratePerSecond: 40, burst: 20 });

/** One adapter per registration whose URL is in `urls` (by seller id). */
export function createAdapters(
  urls: Readonly<Record<string, string>>,
  settings: AdapterSettings,
  registry: readonly SellerRegistration[] = SELLER_REGISTRY,
): SellerAdapter[] {
  return registry
    .filter((r) => urls[r.id] !== undefined)
    .map((r) =>
      r.create({
        sellerId: r.id,
        baseUrl: urls[r.id]!,
        fx: settings.fx,
        throttle: settings.throttle ?? DEFAULT_THROTTLE,
        ...(settings.breaker ? { breaker: settings.breaker } : {}),
        ...(settings.timeoutMs !== undefined ? { timeoutMs: settings.timeoutMs } : {}),
        ...(settings.pullTimeoutMs !== undefined ? { pullTimeoutMs: settings.pullTimeoutMs } : {}),
        ...(settings.bookTimeoutMs !== undefined ? { bookTimeoutMs: settings.bookTimeoutMs } : {}),
        ...(settings.now ? { now: settings.now } : {}),
        ...(settings.onBreakerChange ? { onBreakerChange: settings.onBreakerChange } : {}),
      }),
    );
}
