// Test support only (nothing outside *.test.ts imports it): in-memory
// catalog, pricing and wallet services for search's tests, each with a
// Behaviour the test changes between calls — a delay that honours the
// caller's signal, a gate the test opens, a failure — and a record of the
// requests it got.
import type { MessageInitShape, MessageShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { Context } from "../../endpoints/context.js";
import { Code, invalidArgument, KitError } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import type {
  AirportSchema,
  CatalogService,
  FlightSchema,
  HotelSchema,
} from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type {
  FlightFareSchema,
  GetFlightFaresRequestSchema,
  GetHotelOffersRequestSchema,
  HotelOfferSchema,
  PricingService,
} from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";

/** How a fake answers its next calls; the test changes it at will. */
export interface Behaviour {
  /** Wait this long before answering (cut short by the caller's signal). */
  delayMs: number;
  /** Wait for this before answering (cut short by the caller's signal). */
  gate: Promise<void> | undefined;
  /** Throw this instead of answering. */
  fail: KitError | undefined;
}

export function behaviour(): Behaviour {
  return { delayMs: 0, gate: undefined, fail: undefined };
}

async function act(ctx: Context, b: Behaviour): Promise<void> {
  const waits: Promise<void>[] = [];
  if (b.delayMs > 0) waits.push(new Promise((resolve) => setTimeout(resolve, b.delayMs).unref()));
  if (b.gate) waits.push(b.gate);
  if (waits.length > 0) {
    await new Promise<void>((resolve, reject) => {
      const abort = () => reject(ctx.signal.reason);
      if (ctx.signal.aborted) return abort();
      ctx.signal.addEventListener("abort", abort, { once: true });
      void Promise.all(waits).then(() => {
        ctx.signal.removeEventListener("abort", abort);
        resolve();
      });
    });
  }
  if (b.fail) throw b.fail;
}

function unimplemented(name: string): never {
  throw new KitError(Code.Unimplemented, `the fake does not implement ${name}`);
}

export type HotelInit = MessageInitShape<typeof HotelSchema>;
export type AirportInit = MessageInitShape<typeof AirportSchema>;
export type FlightInit = MessageInitShape<typeof FlightSchema>;
export type HotelOfferInit = MessageInitShape<typeof HotelOfferSchema>;
export type FlightFareInit = MessageInitShape<typeof FlightFareSchema>;

export interface FakeCatalog {
  service: Service<typeof CatalogService>;
  behaviour: Behaviour;
  /** The query of every SearchHotels call ("ids a,b" for GetHotels), in order. */
  searched: string[];
  /** Every GetAirports ("airports LIS,MAD") and ListFlights ("flights LIS-MAD") call, in order. */
  flightCalls: string[];
}

/** Keyword search: a case-insensitive substring of a hotel's name, city or country name. */
export function fakeCatalog(data: { hotels: HotelInit[]; airports: AirportInit[]; flights: FlightInit[] }): FakeCatalog {
  const b = behaviour();
  const searched: string[] = [];
  const flightCalls: string[] = [];
  const service: Service<typeof CatalogService> = {
    upsertHotels: () => unimplemented("UpsertHotels"),
    upsertFlights: () => unimplemented("UpsertFlights"),
    listAirports: () => unimplemented("ListAirports"),
    async getHotels(ctx, req) {
      searched.push(`ids ${req.hotelIds.join(",")}`);
      await act(ctx, b);
      return { hotels: req.hotelIds.flatMap((id) => data.hotels.filter((h) => h.hotelId === id)) };
    },
    /** Pages of the hits in data order; the page token is "<query>@<offset>" (another query's is INVALID_ARGUMENT, as the catalog's). */
    async searchHotels(ctx, req) {
      searched.push(req.query);
      await act(ctx, b);
      const words = req.query.trim().toLowerCase();
      const hits = data.hotels.filter((h) =>
        [h.name, h.cityName, h.countryName].some((text) => (text ?? "").toLowerCase().includes(words)),
      );
      let from = 0;
      if (req.pageToken !== "") {
        const [query, offset] = req.pageToken.split("@");
        if (query !== words) {
          const description = "is not a page token of a previous response to the same query";
          throw invalidArgument(`page_token: ${description}`, [{ field: "page_token", rule: "page_token", description }]);
        }
        from = Number(offset);
      }
      const size = req.pageSize || 20;
      const next = from + size < hits.length ? `${words}@${from + size}` : "";
      return { hotels: hits.slice(from, from + size), nextPageToken: next, totalCount: hits.length };
    },
    async listFlights(ctx, req) {
      flightCalls.push(`flights ${req.origin}-${req.destination}`);
      await act(ctx, b);
      const d = req.departureDate;
      const flights = data.flights.filter(
        (f) =>
          f.origin === req.origin &&
          f.destination === req.destination &&
          f.departureDate?.year === d?.year &&
          f.departureDate?.month === d?.month &&
          f.departureDate?.day === d?.day,
      );
      return { flights };
    },
    async getAirports(ctx, req) {
      flightCalls.push(`airports ${req.codes.join(",")}`);
      await act(ctx, b);
      return { airports: data.airports.filter((a) => req.codes.includes(a.code ?? "")) };
    },
  };
  return { service, behaviour: b, searched, flightCalls };
}

export interface FakePricing {
  service: Service<typeof PricingService>;
  behaviour: Behaviour;
  hotelRequests: MessageShape<typeof GetHotelOffersRequestSchema>[];
  fareRequests: MessageShape<typeof GetFlightFaresRequestSchema>[];
  /** When the fares it answers expire (as pricing's cache says); none by default. */
  fareExpiry: Date | undefined;
}

/** Offers for any stay of the hotels asked; fares by "ORIGIN-DESTINATION". */
export function fakePricing(data: { offers: HotelOfferInit[]; fares: Record<string, FlightFareInit[]> }): FakePricing {
  const b = behaviour();
  const fake: FakePricing = {
    behaviour: b,
    hotelRequests: [],
    fareRequests: [],
    fareExpiry: undefined,
    service: {
      ingestHotelRates: () => unimplemented("IngestHotelRates"),
      invalidateRoom: () => unimplemented("InvalidateRoom"),
      async getHotelOffers(ctx, req) {
        fake.hotelRequests.push(req);
        await act(ctx, b);
        return { offers: data.offers.filter((o) => req.hotelIds.includes(o.hotelId ?? "")) };
      },
      async getFlightFares(ctx, req) {
        fake.fareRequests.push(req);
        await act(ctx, b);
        const expireTime = fake.fareExpiry && timestampFromDate(fake.fareExpiry);
        return { fares: data.fares[`${req.origin}-${req.destination}`] ?? [], expireTime };
      },
    },
  };
  return fake;
}

export interface FakeWallet {
  service: Service<typeof WalletService>;
  behaviour: Behaviour;
  /** Customer ids asked for, in order. */
  asked: string[];
}

/** Available EUR balances by customer id; anyone else has zero. */
export function fakeWallet(balances: Record<string, bigint>): FakeWallet {
  const b = behaviour();
  const fake: FakeWallet = {
    behaviour: b,
    asked: [],
    service: {
      async getBalance(ctx, req) {
        fake.asked.push(req.customerId);
        await act(ctx, b);
        const available = balances[req.customerId] ?? 0n;
        const money = (amountMinor: bigint) => ({ amountMinor, currency: req.currency });
        return { balance: { customerId: req.customerId, available: money(available), held: money(0n) } };
      },
      credit: () => unimplemented("Credit"),
      hold: () => unimplemented("Hold"),
      capture: () => unimplemented("Capture"),
      release: () => unimplemented("Release"),
      listTransactions: () => unimplemented("ListTransactions"),
    },
  };
  return fake;
}
