// The price store (itinera.pricing.v1.PricingService): hotel stay totals
// precomputed at ingestion, offers for many hotels in one query with live
// quotes for what is not precomputed, flight fares cached with a smart TTL,
// and room invalidation. Pure logic: SQL lives in store.ts and ingestion.ts,
// the sellers are a Client, TTL and promotion rules are CEL data (rules.ts).
import type { Context } from "../../endpoints/context.js";
import { invalidArgument } from "../../endpoints/errors.js";
import type { Client, Service } from "../../endpoints/service.js";
import type { NightlyRate, PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { addDays, isoDate, utcDay, type IsoDate } from "./dates.js";
import { flightFares } from "./flight-fares.js";
import { hotelOffers } from "./hotel-offers.js";
import { MAX_PRECOMPUTED_NIGHTS, type PromotionCell, type RateRow } from "./ingestion.js";
import { PROMOTION_DOMAIN, RuleError, type PricingRules } from "./rules.js";
import type { PricingStore } from "./store.js";

export interface PricingServiceDeps {
  store: PricingStore;
  sellers: Client<typeof SellersService>;
  rules: PricingRules;
  /** The clock; tests pass a fixed one. */
  now?: () => Date;
  /** Uniform in [0, 1): TTL jitter; tests pass a fixed one. */
  random?: () => number;
  /** Live hotel quotes in flight at once per GetHotelOffers. Default 16. */
  liveConcurrency?: number;
}

/** Check-ins precomputed: today and the next 89 days. */
export const PRECOMPUTED_DAYS = PROMOTION_DOMAIN.days;
/** Everything reaching pricing is in the marketplace currency (sellers converts). */
export const MARKET_CURRENCY = "EUR";

export function pricingService(deps: PricingServiceDeps): Service<typeof PricingService> {
  const { store, rules } = deps;
  const now = deps.now ?? (() => new Date());

  /** The promotion of every precomputed (check-in, nights), from the rules as they are now. */
  function promotionCells(ctx: Context, today: IsoDate): PromotionCell[] {
    const cells: PromotionCell[] = [];
    const broken = new Set<string>();
    for (let days = 0; days < PRECOMPUTED_DAYS; days++) {
      const checkIn = addDays(today, days);
      for (let nights = 1; nights <= MAX_PRECOMPUTED_NIGHTS; nights++) {
        try {
          const p = rules.current.promotion({ nights, daysToCheckin: days, checkIn });
          if (p) cells.push({ checkIn, nights, name: p.name, percentOff: p.percentOff });
        } catch (e) {
          if (!(e instanceof RuleError)) throw e;
          if (!broken.has(e.rule)) ctx.log.error({ rule: e.rule, err: e.message }, "promotion rule failed; not applied");
          broken.add(e.rule);
        }
      }
    }
    return cells;
  }

  return {
    async ingestHotelRates(ctx, req) {
      const reloadError = await rules.reload();
      if (reloadError) ctx.log.error({ rule: reloadError.rule, err: reloadError.message }, "rules not reloaded; previous rules kept");
      const today = utcDay(now());
      const result = await store.ingest({
        sellerId: req.sellerId,
        rates: req.rates.map(rateRow),
        priceTime: now(),
        firstCheckIn: today,
        lastCheckIn: addDays(today, PRECOMPUTED_DAYS - 1),
        promotions: promotionCells(ctx, today),
      });
      ctx.log.info(
        { seller_id: req.sellerId, rates: req.rates.length, changed: result.changedRates, totals: result.totals, removed: result.removedTotals },
        "hotel rates ingested",
      );
      return { rates: req.rates.length, totals: result.totals };
    },

    getHotelOffers: hotelOffers({ store, sellers: deps.sellers, liveConcurrency: deps.liveConcurrency ?? 16 }),

    getFlightFares: flightFares({ store, sellers: deps.sellers, rules, now, random: deps.random ?? Math.random }),

    async invalidateRoom(ctx, req) {
      const totals = await store.invalidateRoom(req.hotelId, req.roomId);
      ctx.log.info({ hotel_id: req.hotelId, room_id: req.roomId, reason: req.reason, totals }, "room invalidated");
      return { totals };
    },
  };
}

/** The validators reject bad rates first; repeated here so a direct call cannot write nonsense. */
function rateRow(r: NightlyRate, i: number): RateRow {
  const price = r.price;
  if (!r.night || !price || price.amountMinor <= 0n || price.currency !== MARKET_CURRENCY) {
    const field = `rates[${i}]`;
    const description = `needs a night and a positive price in ${MARKET_CURRENCY}`;
    throw invalidArgument(`${field}: ${description}`, [{ field, rule: "rate", description }]);
  }
  return {
    hotelId: r.hotelId,
    roomId: r.roomId,
    night: isoDate(r.night),
    priceMinor: price.amountMinor,
    currency: price.currency,
    available: r.available,
  };
}
