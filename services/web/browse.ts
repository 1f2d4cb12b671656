// Hotel and flight results for the pages, from search, personalised for the
// signed-in customer (the principal, never a request field). Search's stream
// messages are complete snapshots, each replacing the previous one (the rule
// of search.proto), which is the browser's contract too: they are passed on
// as they come, never merged.
import type { Service } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps } from "./deps.js";
import { renamed, withoutQuery } from "./fields.js";
import { pricedHotel } from "./prices.js";

type Browse = Pick<Service<typeof WebService>, "streamHotels" | "streamFlights" | "getHotel">;

export function browse(deps: WebServiceDeps): Browse {
  return {
    async *streamHotels(ctx, req) {
      const query = { query: req.query, checkIn: req.checkIn, checkOut: req.checkOut, pageToken: req.pageToken };
      try {
        for await (const step of deps.search.streamHotels(ctx, { query })) {
          if (step.results) yield { results: step.results };
        }
      } catch (e) {
        throw renamed(e, withoutQuery);
      }
    },

    async *streamFlights(ctx, req) {
      const query = {
        origin: req.origin,
        destination: req.destination,
        departureDate: req.departureDate,
        returnDate: req.returnDate,
      };
      try {
        for await (const step of deps.search.streamFlights(ctx, { query })) {
          if (step.results) yield { results: step.results };
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
