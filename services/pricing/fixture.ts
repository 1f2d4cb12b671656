// Test fixture: pricing on its own fresh database, called through the kit
// (localClient with the validation middleware), as main.ts wires it minus
// the transport; the sellers service is a fake whose answers a test sets.
import { fileURLToPath } from "node:url";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { pino } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { unavailable } from "../../endpoints/errors.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import {
  SellersService,
  type QuoteFlightsRequest,
  type QuoteFlightsResponseSchema,
  type QuoteHotelStayRequest,
  type QuoteHotelStayResponseSchema,
} from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { addDays, dateMessage, utcDay, type IsoDate } from "./dates.js";
import { PricingRules } from "./rules.js";
import { pricingService } from "./service.js";
import { PricingStore } from "./store.js";
import { pricingValidators } from "./validators.js";
/** The KitError a call fails with (fails the test if it succeeds or throws something else). */
export { kitRejection as failure } from "../../endpoints/testing.js";

export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

type FlightsAnswer = MessageInitShape<typeof QuoteFlightsResponseSchema>;
type StayAnswer = MessageInitShape<typeof QuoteHotelStayResponseSchema>;

/** The sellers service as pricing sees it; a test replaces the answers and reads the calls. */
export interface FakeSellers {
  quoteFlights: (ctx: Context, req: QuoteFlightsRequest) => Promise<FlightsAnswer>;
  quoteHotelStay: (ctx: Context, req: QuoteHotelStayRequest) => Promise<StayAnswer>;
  calls: { flights: QuoteFlightsRequest[]; stays: QuoteHotelStayRequest[] };
}

export interface PricingFixture {
  client: Client<typeof PricingService>;
  ctx: Context;
  database: Database;
  store: PricingStore;
  sellers: FakeSellers;
  clock: { now: Date };
  /** The UTC day of the clock. */
  today(): IsoDate;
  close(): Promise<void>;
}

export interface FixtureOptions {
  now?: Date;
  random?: () => number;
}

export async function pricingFixture(opts: FixtureOptions = {}): Promise<PricingFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "pricing", migrationsDir: MIGRATIONS, log });
  const clock = { now: opts.now ?? new Date("2026-03-02T10:00:00Z") };
  const now = () => clock.now;
  const sellers: FakeSellers = {
    calls: { flights: [], stays: [] },
    quoteFlights: () => Promise.reject(unavailable("no sellers in this test")),
    quoteHotelStay: () => Promise.reject(unavailable("no sellers in this test")),
  };
  const sellersImpl: Service<typeof SellersService> = {
    quoteFlights: (ctx, req) => {
      sellers.calls.flights.push(req);
      return sellers.quoteFlights(ctx, req);
    },
    quoteHotelStay: (ctx, req) => {
      sellers.calls.stays.push(req);
      return sellers.quoteHotelStay(ctx, req);
    },
    syncSeller: () => Promise.reject(unavailable("not in this fake")),
    listSellers: () => Promise.reject(unavailable("not in this fake")),
    receivePush: () => Promise.reject(unavailable("not in this fake")),
  };
  const store = new PricingStore(db.knex);
  const rules = await PricingRules.load(() => store.activeRules());
  const client = localClient(
    PricingService,
    pricingService({
      store,
      sellers: localClient(SellersService, sellersImpl),
      rules,
      now,
      ...(opts.random ? { random: opts.random } : {}),
    }),
    validation(pricingValidators({ now })),
  );
  return {
    client,
    ctx: backgroundContext({ log }),
    database: db,
    store,
    sellers,
    clock,
    today: () => utcDay(clock.now),
    async close() {
      await db.close();
    },
  };
}

/** A NightlyRate as a plain object (assignable to its init shape, and spreadable). */
export interface RateInit {
  hotelId: string;
  roomId: string;
  night?: { year: number; month: number; day: number };
  price?: { amountMinor: bigint; currency: string };
  available: number;
}

/** Rates of one room for consecutive nights from `first`, one price (minor units) per night; `available` 0 = sold out. */
export function nightsOf(
  hotelId: string,
  roomId: string,
  first: IsoDate,
  prices: readonly number[],
  available: (i: number) => number = () => 5,
): RateInit[] {
  return prices.map((p, i) => ({
    hotelId,
    roomId,
    night: dateMessage(addDays(first, i)),
    price: { amountMinor: BigInt(p), currency: "EUR" },
    available: available(i),
  }));
}

