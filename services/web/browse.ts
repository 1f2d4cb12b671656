// Hotel and flight results for the pages, from search, personalised for the
// signed-in customer (the principal, never a request field). Search's stream
// steps may each carry only what they add or complete; the browser's contract
// is that each message replaces the previous one, so the steps are merged
// here: the latest step's results first (search's order), then any earlier
// result the latest did not repeat.
import type { MessageShape } from "@bufbuild/protobuf";
import type { Service } from "../../endpoints/service.js";
import type { FlightResult, FlightResultsSchema, HotelResult, HotelResultsSchema } from "../../gen/itinera/search/v1/search_pb.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps } from "./deps.js";
import { renamed, withoutQuery } from "./fields.js";
import { pricedHotel } from "./prices.js";

type Browse = Pick<Service<typeof WebService>, "streamHotels" | "streamFlights" | "getHotel">;
type HotelResults = MessageShape<typeof HotelResultsSchema>;
type FlightResults = MessageShape<typeof FlightResultsSchema>;

/** Results so far, by id: each step's replace earlier ones with the same id. */
export class Accumulated<R> {
  private readonly byId = new Map<string, R>();

  constructor(private readonly idOf: (r: R) => string) {}

  add(step: readonly R[]): R[] {
    const latest = new Set(step.map(this.idOf));
    const earlier = [...this.byId.values()].filter((r) => !latest.has(this.idOf(r)));
    for (const r of step) this.byId.set(this.idOf(r), r);
    return [...step, ...earlier];
  }
}

export function browse(deps: WebServiceDeps): Browse {
  return {
    async *streamHotels(ctx, req) {
      const hotels = new Accumulated<HotelResult>((h) => h.hotelId);
      const query = { query: req.query, checkIn: req.checkIn, checkOut: req.checkOut };
      try {
        for await (const step of deps.search.streamHotels(ctx, { query })) {
          const r: HotelResults | undefined = step.results;
          if (!r) continue;
          yield { results: { ...r, hotels: hotels.add(r.hotels) } };
        }
      } catch (e) {
        throw renamed(e, withoutQuery);
      }
    },

    async *streamFlights(ctx, req) {
      const outbound = new Accumulated<FlightResult>((f) => f.flightId);
      const inbound = new Accumulated<FlightResult>((f) => f.flightId);
      const query = {
        origin: req.origin,
        destination: req.destination,
        departureDate: req.departureDate,
        returnDate: req.returnDate,
      };
      try {
        for await (const step of deps.search.streamFlights(ctx, { query })) {
          const r: FlightResults | undefined = step.results;
          if (!r) continue;
          yield { results: { ...r, outbound: outbound.add(r.outbound), inbound: inbound.add(r.inbound) } };
        }
      } catch (e) {
        throw renamed(e, withoutQuery);
      }
    },

    async getHotel(ctx, req) {
      try {
        const priced = await pricedHotel(deps, ctx, req.hotelId, req.checkIn, req.checkOut);
        return { hotel: priced.hotel, walletAvailable: priced.walletAvailable, degraded: priced.degraded };
      } catch (e) {
        throw renamed(e, withoutQuery);
      }
    },
  };
}
