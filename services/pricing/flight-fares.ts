// GetFlightFares: the fare cache. A hit within its TTL answers FRESH. A miss
// or an expired entry asks sellers.QuoteFlights once per key however many
// requests wait for it (single flight), stores the answer with a TTL from
// the ttl rule (±4 % jitter) and answers LIVE. When the sellers cannot
// answer, an expired entry is sent marked STALE; with nothing cached the
// call fails Unavailable.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { derive, type Context } from "../../endpoints/context.js";
import { asKitError, unavailable } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import {
  PriceSource,
  type FlightFare,
  type GetFlightFaresRequest,
  type GetFlightFaresResponseSchema,
} from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { QuoteFlightsResponse, SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { dateMessage, daysBetween, isoDate, utcDay } from "./dates.js";
import { withSource } from "./messages.js";
import { RuleError, type PricingRules } from "./rules.js";
import { SingleFlight } from "./single-flight.js";
import type { CachedFares, FareKey, PricingStore } from "./store.js";

export interface FlightFaresDeps {
  store: PricingStore;
  sellers: Client<typeof SellersService>;
  rules: PricingRules;
  now: () => Date;
  /** Uniform in [0, 1): the jitter's source. */
  random: () => number;
}

type Answer = MessageInitShape<typeof GetFlightFaresResponseSchema>;

/** Relative jitter on every TTL: a 5 s TTL expires between 4.8 s and 5.2 s. */
export const TTL_JITTER = 0.04;
/** When some seller did not answer, the entry lives at most this long, so that it is asked again soon. */
export const PARTIAL_TTL_MS = 60_000;
/** When the ttl rule fails at run time (it was checked when loaded): a short, safe TTL. */
const FALLBACK_TTL_SECONDS = 60;

/** The TTL in milliseconds with jitter: seconds × (1 ± 4 %), `random` in [0, 1). */
export function jitteredTtlMs(seconds: number, random: () => number): number {
  return Math.round(seconds * 1000 * (1 + TTL_JITTER * (2 * random() - 1)));
}

export function flightFares(deps: FlightFaresDeps) {
  const flights = new SingleFlight<Answer>();

  const fresh = (entry: CachedFares): Answer => ({
    fares: entry.fares.map((f) => withSource(f, PriceSource.FRESH)),
    expireTime: timestampFromDate(entry.expireTime),
  });
  const stale = (entry: CachedFares): Answer => ({
    fares: entry.fares.map((f) => withSource(f, PriceSource.STALE)),
    expireTime: timestampFromDate(entry.expireTime),
  });

  function ttlMs(ctx: Context, key: FareKey): number {
    const daysToDeparture = daysBetween(utcDay(deps.now()), key.departureDate);
    let seconds: number;
    try {
      seconds = deps.rules.current.ttlSeconds({ daysToDeparture, origin: key.origin, destination: key.destination });
    } catch (e) {
      if (!(e instanceof RuleError)) throw e;
      ctx.log.error({ rule: e.rule, err: e.message }, "ttl rule failed; using the fallback TTL");
      seconds = FALLBACK_TTL_SECONDS;
    }
    return jitteredTtlMs(seconds, deps.random);
  }

  async function refresh(ctx: Context, key: FareKey): Promise<Answer> {
    // Another flight may have filled the entry since this request missed.
    const previous = await deps.store.cachedFares(key);
    if (previous && previous.expireTime > deps.now()) return fresh(previous);

    let quote: QuoteFlightsResponse;
    try {
      quote = await deps.sellers.quoteFlights(ctx, {
        origin: key.origin,
        destination: key.destination,
        departureDate: dateMessage(key.departureDate),
      });
    } catch (e) {
      return fallBack(ctx, key, previous, asKitError(e).message);
    }
    if (quote.fares.length === 0 && quote.unavailableSellers.length > 0) {
      return fallBack(ctx, key, previous, `no seller answered (${quote.unavailableSellers.join(", ")})`);
    }

    const fetchTime = deps.now();
    const partial = quote.unavailableSellers.length > 0;
    const lifetime = partial ? Math.min(ttlMs(ctx, key), PARTIAL_TTL_MS) : ttlMs(ctx, key);
    const entry: CachedFares = {
      fares: quote.fares.map((f) => withSource(f, PriceSource.LIVE)),
      fetchTime,
      expireTime: new Date(fetchTime.getTime() + lifetime),
    };
    await deps.store.saveFares(key, entry);
    // The fares of sellers that did not answer now: their last ones, marked stale.
    const missing = new Set(quote.unavailableSellers);
    const carried = previous ? previous.fares.filter((f) => missing.has(f.sellerId)) : [];
    return {
      fares: [...entry.fares, ...carried.map((f: FlightFare) => withSource(f, PriceSource.STALE))],
      expireTime: timestampFromDate(entry.expireTime),
    };
  }

  function fallBack(ctx: Context, key: FareKey, previous: CachedFares | undefined, why: string): Answer {
    ctx.log.warn({ ...key, cached: previous !== undefined, err: why }, "sellers could not quote fares");
    if (previous) return stale(previous);
    throw unavailable(
      `no fares are cached for ${key.origin}-${key.destination} on ${key.departureDate} and the sellers did not answer: ${why}`,
    );
  }

  return async function getFlightFares(ctx: Context, req: GetFlightFaresRequest): Promise<Answer> {
    const key: FareKey = { origin: req.origin, destination: req.destination, departureDate: isoDate(req.departureDate!) };
    const cached = await deps.store.cachedFares(key);
    if (cached && cached.expireTime > deps.now()) return fresh(cached);
    // The shared call must not end because the request that started it was cancelled: its own signal, same deadline.
    const flightCtx = derive(ctx, { signal: new AbortController().signal });
    return flights.run(`${key.origin}-${key.destination}-${key.departureDate}`, () => refresh(flightCtx, key));
  };
}
