// Hotel search: the listing is a page of the catalog's keyword search (its
// ranking, its total and its page token, passed on as they are: the catalog
// signs the cursor and rejects one of another query), or the hotels asked by
// id; once its ids are known, pricing's offers for the stay; meanwhile the
// wallet balance. One offer per room (offers.ts), the markdown applied; the
// hotels keep the listing's order, so that pages continue one another. A
// slow or failed pricing or wallet degrades the answer (MISSING prices, no
// markdown); a failed catalog fails it.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import { Code, invalidArgument, type KitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { CatalogService, Hotel } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, type HotelOffer, type PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { HotelQuery, HotelResultSchema, HotelResultsSchema, RoomResultSchema } from "../../gen/itinera/search/v1/search_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { daysBetween } from "./dates.js";
import type { FanoutState } from "./fanout.js";
import { cachedListing, cachedOffers, type HotelCaches, type Listing } from "./hotel-caches.js";
import { byListedPrice, chooseOffer, personalPrice, type Candidate, type Reliability } from "./offers.js";
import { balanceBranch, degradedDependencies, listingFailure, searchFanout, walletBalance, walletMoney } from "./plan.js";
import type { Quoting } from "./quoting.js";
import type { SearchBudgets } from "./settings.js";

export type HotelResultsInit = MessageInitShape<typeof HotelResultsSchema>;
type HotelResultInit = MessageInitShape<typeof HotelResultSchema>;
type RoomResultInit = MessageInitShape<typeof RoomResultSchema>;

export interface HotelSearchDeps {
  catalog: Client<typeof CatalogService>;
  pricing: Client<typeof PricingService>;
  wallet: Client<typeof WalletService>;
  budgets: SearchBudgets;
  reliability: Reliability;
  /** The marketplace currency: offers and balances in another are ignored. */
  currency: string;
  /** What the catalog and pricing answered lately (hotel-caches.ts); none: ask every time. */
  caches?: HotelCaches;
}

const DEFAULT_PAGE_SIZE = 20;

type HotelBranches = {
  readonly catalog: Listing;
  readonly wallet: bigint | undefined;
  readonly pricing: readonly HotelOffer[];
};
const DEPENDENCY: Record<keyof HotelBranches, string> = { catalog: "catalog", wallet: "wallet", pricing: "pricing" };

export type HotelState = FanoutState<HotelBranches>;

/** The fan-out of one hotel search (validated query) for `customerId` ("" for none). */
export function hotelPlan(deps: HotelSearchDeps, ctx: Context, query: HotelQuery, customerId: string) {
  const { budgets } = deps;
  return searchFanout(ctx, budgets)
    .branch("catalog", {
      budgetMs: budgets.catalogMs,
      run: (c): Promise<Listing> => {
        const pageSize = query.pageSize || DEFAULT_PAGE_SIZE;
        return cachedListing(deps.caches, c, query, pageSize, async (c) => {
          if (query.hotelIds.length > 0) {
            const { hotels } = await deps.catalog.getHotels(c, { hotelIds: query.hotelIds });
            return { hotels, total: hotels.length, nextPageToken: "" };
          }
          const res = await deps.catalog.searchHotels(c, { query: query.query, pageSize, pageToken: query.pageToken });
          return { hotels: res.hotels, total: res.totalCount, nextPageToken: res.nextPageToken };
        });
      },
    })
    .branch("wallet", balanceBranch(deps.wallet, customerId, deps.currency, budgets))
    .branch("pricing", {
      needs: ["catalog"],
      budgetMs: budgets.pricingMs,
      fallback: (): readonly HotelOffer[] => [],
      run: async (c, { catalog }): Promise<readonly HotelOffer[]> => {
        if (catalog.hotels.length === 0) return [];
        const hotelIds = catalog.hotels.map((h) => h.hotelId);
        return cachedOffers(deps.caches, c, query, hotelIds, async (c) => {
          const left = c.deadline === undefined ? budgets.pricingMs : c.deadline - Date.now();
          const res = await deps.pricing.getHotelOffers(c, {
            hotelIds,
            checkIn: query.checkIn,
            checkOut: query.checkOut,
            liveBudgetMs: Math.max(0, Math.floor(left - budgets.liveReserveMs)),
          });
          return res.offers;
        });
      },
    });
}

/**
 * What a state can show: undefined until the catalog answered; throws when
 * it failed. Pricing not (yet) in: every room MISSING. Wallet not (yet) in:
 * no markdown (and no quotes).
 */
export function hotelView(deps: HotelSearchDeps, query: HotelQuery, quoting: Quoting, state: HotelState): HotelResultsInit | undefined {
  const listing = state.outcomes.catalog;
  if (listing === undefined) return undefined;
  if (listing.status === "failed") throw listingFailure(pageTokenOfQuery(listing.error));
  const pricing = state.outcomes.pricing;
  const offers = pricing && pricing.status !== "failed" ? offersByRoom(pricing.value) : new Map<string, HotelOffer[]>();
  const balance = walletBalance(state);
  return {
    hotels: listing.value.hotels.map((h) => hotelResult(deps, query, quoting, h, offers, balance)),
    degraded: degradedDependencies(state, DEPENDENCY),
    walletAvailable: walletMoney(state, deps.currency),
    complete: state.done,
    totalCount: listing.value.total,
    nextPageToken: listing.value.nextPageToken,
  };
}

/** The catalog's refusal of a page token, as a refusal of this request's field (any other error as is). */
function pageTokenOfQuery(error: KitError): KitError {
  if (error.code !== Code.InvalidArgument || !error.violations.some((v) => v.field === "page_token")) return error;
  const description = "is not the next_page_token of an earlier answer to the same query: start again without it";
  return invalidArgument(`query.page_token: ${description}`, [{ field: "query.page_token", rule: "page_token", description }]);
}

function hotelResult(
  deps: HotelSearchDeps,
  query: HotelQuery,
  quoting: Quoting,
  hotel: Hotel,
  offers: ReadonlyMap<string, HotelOffer[]>,
  balance: bigint | undefined,
): HotelResultInit {
  const rooms: RoomResultInit[] = hotel.rooms.map((room) => {
    const roomOffers = offers.get(roomKey(hotel.hotelId, room.roomId)) ?? [];
    const chosen = chooseOffer(roomOffers.map(candidate), deps.reliability, deps.currency);
    const nights = daysBetween(query.checkIn!, query.checkOut!);
    const item = {
      sellerId: chosen?.sellerId ?? "",
      title: `${hotel.name}, ${hotel.cityName} — ${room.name}, ${nights} ${nights === 1 ? "night" : "nights"}`,
      kind: {
        case: "hotelStay" as const,
        value: { hotelId: hotel.hotelId, roomId: room.roomId, checkIn: query.checkIn, checkOut: query.checkOut, starRating: hotel.starRating },
      },
    };
    return {
      roomId: room.roomId,
      name: room.name,
      maxOccupancy: room.maxOccupancy,
      price: quoting.quoted(item, personalPrice(chosen, balance), balance),
      offerCount: new Set(roomOffers.map((o) => o.sellerId)).size,
    };
  });
  rooms.sort(byListedPrice((r) => r.price));
  return {
    hotelId: hotel.hotelId,
    name: hotel.name,
    cityName: hotel.cityName,
    countryCode: hotel.countryCode,
    starRating: hotel.starRating,
    imageUrl: hotel.imageUrls[0] ?? "",
    amenities: hotel.amenities,
    rooms,
    fromPrice: rooms[0]?.price ?? personalPrice(undefined, balance),
  };
}

function offersByRoom(offers: readonly HotelOffer[]): Map<string, HotelOffer[]> {
  const byRoom = new Map<string, HotelOffer[]>();
  for (const offer of offers) {
    const key = roomKey(offer.hotelId, offer.roomId);
    const list = byRoom.get(key);
    if (list) list.push(offer);
    else byRoom.set(key, [offer]);
  }
  return byRoom;
}

const roomKey = (hotelId: string, roomId: string) => `${hotelId}\u0000${roomId}`;

function candidate(o: HotelOffer): Candidate {
  return {
    sellerId: o.sellerId,
    amountMinor: o.total?.amountMinor ?? 0n,
    currency: o.total?.currency ?? "",
    available: o.available,
    stale: o.source === PriceSource.STALE,
    promotion: o.promotion,
  };
}
