// Pricing against every committed pact that names it (search's and
// sellers'): the real server, wired as services/pricing/main.ts wires it, on
// its own PostgreSQL database, with provider states set up through the real
// pricing service (IngestHotelRates, InvalidateRoom, GetFlightFares to fill
// the fare cache).
//
// Two things differ from main.ts, both outside the contract under test:
// - the clock is fixed at CLOCK, so that the pacts' dates (March and April
//   2027) stay in the future, and the precomputed window and promotions are
//   the same on every run;
// - pricing's own dependency, the sellers service, is a fake Client whose
//   quotes the states set (pricing → sellers has its own pact).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { unavailable } from "../../endpoints/errors.js";
import { localClient, type Service } from "../../endpoints/service.js";
import { PriceSource, PricingService, type FlightFare } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService, type QuoteFlightsRequest } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { addDays, dateMessage, daysBetween, isoDate } from "../../services/pricing/dates.js";
import { nightsOf, pricingFixture, type PricingFixture } from "../../services/pricing/fixture.js";
import { PricingRules } from "../../services/pricing/rules.js";
import { pricingService } from "../../services/pricing/service.js";
import { pricingValidators } from "../../services/pricing/validators.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";

/** Pricing's "now" in this verification. */
const CLOCK = new Date("2027-03-01T10:00:00Z");

let f: PricingFixture;
let server: ProviderServer | undefined;
let tokens: TestTokens;

/** Each consumer's own service token, as the contract names the consumer: what the verifier sends for it. */
async function bearerTokensOf(...consumers: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(consumers.map(async (c) => [c, (await tokens.service(c)).token!])));
}

/** What the fake sellers quote, by "ORIGIN-DESTINATION-YYYY-MM-DD"; other routes: Unavailable. */
const quotedFares = new Map<string, FlightFare[]>();
const fareKey = (origin: string, destination: string, date: string) => `${origin}-${destination}-${date}`;

async function quoteFlights(_ctx: unknown, req: QuoteFlightsRequest) {
  const key = fareKey(req.origin, req.destination, isoDate(req.departureDate!));
  const fares = quotedFares.get(key);
  if (!fares) throw unavailable(`no seller answers for ${key} (fake sellers)`);
  return { fares };
}

/** A pricing server exactly as main.ts builds one, over the fixture's store and fake sellers. */
async function servePricing(): Promise<ProviderServer> {
  const now = () => f.clock.now;
  const fail = () => Promise.reject(unavailable("not quoted by the fake sellers"));
  const sellers: Service<typeof SellersService> = {
    quoteFlights: (ctx, req) => f.sellers.quoteFlights(ctx, req),
    quoteHotelStay: (ctx, req) => f.sellers.quoteHotelStay(ctx, req),
    syncSeller: fail,
    listSellers: fail,
    receivePush: fail,
  };
  const rules = await PricingRules.load(() => f.store.activeRules());
  const pricing = pricingService({ store: f.store, sellers: localClient(SellersService, sellers), rules, now });
  return startProvider(PricingService, pricing, {
    validators: pricingValidators({ now }),
    ready: f.database.ready,
    authenticate: tokens.authenticate,
  });
}

interface RoomStayParams {
  hotelId: string;
  roomId: string;
  sellerId: string;
  checkIn: string;
  checkOut: string;
}

function roomStay(params: StateParams): RoomStayParams {
  const [hotelId, roomId, sellerId] = [stringParam(params, "hotelId"), stringParam(params, "roomId"), stringParam(params, "sellerId")];
  return { hotelId, roomId, sellerId, checkIn: stringParam(params, "checkIn"), checkOut: stringParam(params, "checkOut") };
}

/** Ingests one price per night of the stay through pricing itself. */
async function ingestStay(s: RoomStayParams, nightMinor: number, available: number) {
  const prices = Array.from({ length: daysBetween(s.checkIn, s.checkOut) }, () => nightMinor);
  await f.client.ingestHotelRates(f.ctx, { sellerId: s.sellerId, rates: nightsOf(s.hotelId, s.roomId, s.checkIn, prices, () => available) });
}

/** The states pricing's consumers name, set up through the pricing service itself. */
const pricingStates = (): ProviderStates => ({
  async "a hotel room has a precomputed price with a promotion"(params) {
    const stay = roomStay(params);
    await ingestStay(stay, 10_800, 3);
    const { offers } = await f.client.getHotelOffers(f.ctx, {
      hotelIds: [stay.hotelId],
      checkIn: dateMessage(stay.checkIn),
      checkOut: dateMessage(stay.checkOut),
    });
    const offer = offers.find((o) => o.roomId === stay.roomId && o.sellerId === stay.sellerId);
    if (!offer?.promotion) {
      throw new Error(`pricing's rules give no promotion to ${stay.checkIn}..${stay.checkOut} on ${f.today()}; the state needs one`);
    }
  },
  async "a hotel room's price was invalidated"(params) {
    const stay = roomStay(params);
    await ingestStay(stay, 12_000, 2);
    const { totals } = await f.client.invalidateRoom(f.ctx, { hotelId: stay.hotelId, roomId: stay.roomId, reason: "pact provider state" });
    if (totals === 0) throw new Error(`invalidating ${stay.hotelId} ${stay.roomId} marked no total stale`);
  },
  async "fares are cached for a route and date"(params) {
    const [origin, destination, date] = [stringParam(params, "origin"), stringParam(params, "destination"), stringParam(params, "departureDate")];
    const flightId = `${stringParam(params, "flightNumber")}-${date}`;
    quotedFares.set(fareKey(origin, destination, date), [
      {
        $typeName: "itinera.pricing.v1.FlightFare",
        flightId,
        sellerId: stringParam(params, "sellerId"),
        cabin: "economy",
        price: { $typeName: "itinera.type.v1.Money", amountMinor: 9_900n, currency: "EUR" },
        seatsLeft: 4,
        source: PriceSource.LIVE,
      },
    ]);
    // Asked once through pricing: the fares are now in its cache.
    const { fares } = await f.client.getFlightFares(f.ctx, { origin, destination, departureDate: dateMessage(date) });
    if (!fares.some((x) => x.flightId === flightId)) throw new Error(`pricing did not cache the fares of ${flightId}`);
  },
  async "no fares are cached for a route and date, and no seller answers"(params) {
    const [origin, destination, date] = [stringParam(params, "origin"), stringParam(params, "destination"), stringParam(params, "departureDate")];
    quotedFares.delete(fareKey(origin, destination, date));
    if (await f.store.cachedFares({ origin, destination, departureDate: date })) {
      throw new Error(`fares are cached for ${fareKey(origin, destination, date)}; the state needs none`);
    }
  },
});

test.before(async () => {
  f = await pricingFixture({ now: CLOCK });
  tokens = await testTokens();
  f.sellers.quoteFlights = quoteFlights;
  server = await servePricing();
});
test.after(async () => {
  await server?.close();
  await f?.close();
});

test("the real pricing satisfies every pact that names it", async () => {
  const result = await verifyProvider("pricing", server!.url, pricingStates(), { bearerTokens: await bearerTokensOf("search", "sellers") });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["search-pricing.json", "sellers-pricing.json"],
  );
  assert.ok(result.interactions >= 5, `${result.interactions} interactions`);
  // The states went through pricing: the promoted stay is precomputed, 5 nights of 108.00 less 10 %.
  const { offers } = await f.client.getHotelOffers(f.ctx, {
    hotelIds: ["h-P000001"],
    checkIn: dateMessage("2027-04-12"),
    checkOut: dateMessage(addDays("2027-04-12", 5)),
  });
  assert.equal(
    offers.map((o) => [o.roomId, o.total?.amountMinor, o.listTotal?.amountMinor, o.promotion, o.source]),
    [["DBL-STD", 48_600n, 54_000n, "early-bird", PriceSource.FRESH]],
  );
});

test.run();
