// Flight search, one way or return (cheapest first, then by departure): the catalog checks both airports and
// lists each leg's flights (the return leg swaps origin and destination and
// departs on the return date); pricing gives each leg's fares; the wallet
// the balance — all at once. One fare per flight (offers.ts), times shown in
// each airport's zone. The markdown is applied per result from the same
// balance: each result shows what the wallet could take off that one
// booking, so a round trip's two legs may each show the whole balance.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampDate, timestampMs } from "@bufbuild/protobuf/wkt";
import type { Context } from "../../endpoints/context.js";
import { invalidArgument } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";
import { violation } from "../../endpoints/rules.js";
import type { Client } from "../../endpoints/service.js";
import type { Airport, CatalogService, Flight } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PriceSource, type FlightFare, type PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { FlightQuery, FlightResultSchema, FlightResultsSchema } from "../../gen/itinera/search/v1/search_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { FanoutState } from "./fanout.js";
import { cachedAirports, cachedFares, cachedFlights, type FlightCaches, type Leg } from "./flight-caches.js";
import type { LocalTimes } from "./local-time.js";
import { byListedPrice, chooseOffer, personalPrice, type Candidate, type Reliability } from "./offers.js";
import { balanceBranch, degradedDependencies, listingFailure, searchFanout, walletBalance, walletMoney } from "./plan.js";
import type { Quoting } from "./quoting.js";
import type { SearchBudgets } from "./settings.js";

export type FlightResultsInit = MessageInitShape<typeof FlightResultsSchema>;
type FlightResultInit = MessageInitShape<typeof FlightResultSchema>;

export interface FlightSearchDeps {
  catalog: Client<typeof CatalogService>;
  pricing: Client<typeof PricingService>;
  wallet: Client<typeof WalletService>;
  budgets: SearchBudgets;
  reliability: Reliability;
  currency: string;
  localTimes: LocalTimes;
  /** What the catalog and pricing answered lately (flight-caches.ts); none: ask every time. */
  caches?: FlightCaches;
}

type FlightBranches = {
  readonly airports: readonly Airport[];
  readonly outbound: readonly Flight[];
  readonly inbound: readonly Flight[];
  readonly outboundFares: readonly FlightFare[];
  readonly inboundFares: readonly FlightFare[];
  readonly wallet: bigint | undefined;
};
const DEPENDENCY: Record<keyof FlightBranches, string> = {
  airports: "catalog",
  outbound: "catalog",
  inbound: "catalog",
  outboundFares: "pricing",
  inboundFares: "pricing",
  wallet: "wallet",
};

export type FlightState = FanoutState<FlightBranches>;

/** The fan-out of one flight search (validated query). A one-way search's inbound branches answer [] at once. */
export function flightPlan(deps: FlightSearchDeps, ctx: Context, query: FlightQuery, customerId: string) {
  const { budgets, catalog, pricing } = deps;
  const out = { origin: query.origin, destination: query.destination, departureDate: query.departureDate };
  const back = query.returnDate && { origin: query.destination, destination: query.origin, departureDate: query.returnDate };
  const fares = { budgetMs: budgets.pricingMs, fallback: (): readonly FlightFare[] => [] };
  const { caches } = deps;
  const listFlights = (leg: Leg) => (c: Context) => cachedFlights(caches, c, leg, async (c) => (await catalog.listFlights(c, leg)).flights);
  const faresOf = (leg: Leg) => (c: Context) => cachedFares(caches, c, leg, (c) => pricing.getFlightFares(c, leg));
  return searchFanout(ctx, budgets)
    .branch("airports", {
      budgetMs: budgets.catalogMs,
      run: (c): Promise<readonly Airport[]> => {
        const codes = [query.origin, query.destination];
        return cachedAirports(caches, c, codes, async (c) => (await catalog.getAirports(c, { codes })).airports);
      },
    })
    .branch("outbound", { budgetMs: budgets.catalogMs, run: listFlights(out) })
    .branch("inbound", { budgetMs: budgets.catalogMs, run: async (c): Promise<readonly Flight[]> => (back ? listFlights(back)(c) : []) })
    .branch("outboundFares", { ...fares, run: async (c) => (await faresOf(out)(c)).fares })
    .branch("inboundFares", { ...fares, run: async (c) => (back ? (await faresOf(back)(c)).fares : []) })
    .branch("wallet", balanceBranch(deps.wallet, customerId, deps.currency, budgets));
}

/**
 * What a state can show: undefined until the airports and both legs' flights
 * are in; InvalidArgument naming query.origin / query.destination when the
 * catalog does not know an airport; Unavailable when the catalog failed.
 */
export function flightView(deps: FlightSearchDeps, query: FlightQuery, quoting: Quoting, state: FlightState): FlightResultsInit | undefined {
  const airports = state.outcomes.airports;
  if (airports === undefined) return undefined;
  if (airports.status === "failed") throw listingFailure(airports.error);
  const zones = new Map(airports.value.map((a) => [a.code, a.timeZone]));
  const unknown = [
    !zones.has(query.origin) && violation("query.origin", "known_airport", `must be an airport we serve, not ${query.origin}`),
    !zones.has(query.destination) &&
      violation("query.destination", "known_airport", `must be an airport we serve, not ${query.destination}`),
  ].filter((v) => v !== false);
  if (unknown.length > 0) throw invalidArgument(summarise(unknown), unknown);

  const outbound = state.outcomes.outbound;
  const inbound = state.outcomes.inbound;
  if (outbound === undefined || inbound === undefined) return undefined;
  if (outbound.status === "failed") throw listingFailure(outbound.error);
  if (inbound.status === "failed") throw listingFailure(inbound.error);

  const balance = walletBalance(state);
  const leg = (flights: readonly Flight[], fares: readonly FlightFare[] | undefined) => {
    const byFlight = faresByFlight(fares ?? []);
    const byDeparture = [...flights].sort((a, b) => instant(a.departureTime) - instant(b.departureTime));
    const results = byDeparture.map((f) => flightResult(deps, quoting, f, byFlight.get(f.flightId) ?? [], balance, zones));
    return results.sort(byListedPrice((r) => r.price)); // stable: equal prices stay by departure
  };
  return {
    outbound: leg(outbound.value, fareValue(state, "outboundFares")),
    inbound: leg(inbound.value, fareValue(state, "inboundFares")),
    degraded: degradedDependencies(state, DEPENDENCY),
    walletAvailable: walletMoney(state, deps.currency),
    complete: state.done,
  };
}

const instant = (t: Flight["departureTime"]) => (t ? timestampMs(t) : 0);

function fareValue(state: FlightState, branch: "outboundFares" | "inboundFares"): readonly FlightFare[] | undefined {
  const outcome = state.outcomes[branch];
  return outcome && outcome.status !== "failed" ? outcome.value : undefined;
}

function flightResult(
  deps: FlightSearchDeps,
  quoting: Quoting,
  flight: Flight,
  fares: readonly FlightFare[],
  balance: bigint | undefined,
  zones: ReadonlyMap<string, string>,
): FlightResultInit {
  const chosen = chooseOffer(fares.map(candidate), deps.reliability, deps.currency);
  const local = (t: Flight["departureTime"], code: string) =>
    t ? deps.localTimes.format(timestampDate(t), zones.get(code) ?? "UTC") : "";
  const departureLocal = local(flight.departureTime, flight.origin);
  const item = {
    sellerId: chosen?.sellerId ?? "",
    title: `${flight.flightNumber} ${flight.origin} → ${flight.destination}, ${departureLocal.slice(0, 10)}`,
    kind: {
      case: "flightTrip" as const,
      value: { outboundFlightId: flight.flightId, origin: flight.origin, destination: flight.destination },
    },
  };
  return {
    flightId: flight.flightId,
    flightNumber: flight.flightNumber,
    carrierName: flight.carrierName,
    origin: flight.origin,
    destination: flight.destination,
    departureLocal,
    arrivalLocal: local(flight.arrivalTime, flight.destination),
    aircraft: flight.aircraft,
    cabin: chosen?.fare.cabin ?? "",
    price: quoting.quoted(item, personalPrice(chosen, balance), balance),
    offerCount: new Set(fares.map((f) => f.sellerId)).size,
    seatsLeft: chosen?.fare.seatsLeft ?? 0,
    source: chosen?.fare.source ?? PriceSource.UNSPECIFIED,
  };
}

function faresByFlight(fares: readonly FlightFare[]): Map<string, FlightFare[]> {
  const byFlight = new Map<string, FlightFare[]>();
  for (const fare of fares) {
    const list = byFlight.get(fare.flightId);
    if (list) list.push(fare);
    else byFlight.set(fare.flightId, [fare]);
  }
  return byFlight;
}

function candidate(fare: FlightFare): Candidate & { readonly fare: FlightFare } {
  return {
    fare,
    sellerId: fare.sellerId,
    amountMinor: fare.price?.amountMinor ?? 0n,
    currency: fare.price?.currency ?? "",
    available: fare.seatsLeft,
    stale: fare.source === PriceSource.STALE,
    promotion: "",
  };
}
