// SkyLark Air: the sandbox airline, a JSON API on port 7101.
//   GET /v1/airports                         every airport it flies from or to
//   GET /v1/routes                           every directed airport pair
//   GET /v1/schedules?from=&to=&date=        departures (filters optional; no date = every day)
//   GET /v1/fares?from=&to=&date=            fares in USD, throttled, counted as searches
// Times are local at each airport ("2026-12-01T08:15"); zones are in /v1/airports.
import { dateOf } from "./calendar.js";
import { departure, fares, inWindow, windowDays, CARRIER, type Departure, type Flight, type Inventory } from "./inventory.js";
import { dateParam, decimal, HttpError, jsonReply, param, type Reply } from "./http.js";
import { startSellerServer, type RunningSeller, type SellerOptions } from "./seller-server.js";

export const SKYLARK_PORT = 7101;

function errorReply(status: number, message: string): Reply {
  return jsonReply({ error: message }, status);
}

function airportParam(inv: Inventory, q: URLSearchParams, name: string, required: boolean): string | undefined {
  const raw = q.get(name);
  if (raw === null || raw === "") {
    if (required) param(q, name);
    return undefined;
  }
  const code = raw.trim().toUpperCase();
  if (!/^[A-Z]{3}$/.test(code)) throw new HttpError(400, `query parameter "${name}" must be an IATA airport code`);
  if (!inv.airportByIata.has(code)) throw new HttpError(404, `unknown airport ${code}`);
  return code;
}

function scheduleEntry(d: Departure) {
  const f = d.flight;
  return {
    carrier: CARRIER.code,
    carrier_name: CARRIER.name,
    number: f.number,
    from: f.from,
    to: f.to,
    date: d.date,
    departs: d.departs,
    arrives: d.arrives,
    aircraft: f.aircraft,
    services: f.services,
    duration_minutes: f.durationMinutes,
    cabins: f.cabins,
  };
}

function flightsMatching(inv: Inventory, from?: string, to?: string): Flight[] {
  if (from && to) return inv.flightsByRoute.get(`${from}-${to}`) ?? [];
  return inv.flights.filter((f) => (!from || f.from === from) && (!to || f.to === to));
}

export function startSkylark(opts: SellerOptions): Promise<RunningSeller> {
  const inv = opts.inventory;
  return startSellerServer(opts, {
    errorReply,
    apis: [
      {
        method: "GET",
        path: "/v1/airports",
        handle: () =>
          jsonReply({
            airports: inv.airports.map((a) => ({
              iata: a.iata,
              name: a.name,
              city: a.cityName,
              country: a.countryCode,
              tz: a.timeZone,
              city_id: a.cityId,
            })),
          }),
      },
      { method: "GET", path: "/v1/routes", handle: () => jsonReply({ routes: inv.routes.map(({ from, to }) => ({ from, to })) }) },
      {
        method: "GET",
        path: "/v1/schedules",
        handle: ({ query }) => {
          const from = airportParam(inv, query, "from", false);
          const to = airportParam(inv, query, "to", false);
          const days = query.get("date") ? [dateParam(query, "date")].filter((d) => inWindow(inv, d)) : windowDays(inv);
          const matching = flightsMatching(inv, from, to);
          const flights = days.flatMap((day) => matching.map((f) => scheduleEntry(departure(inv, f, day))));
          return jsonReply({ flights });
        },
      },
      {
        method: "GET",
        path: "/v1/fares",
        priced: true,
        handle: ({ query }) => {
          const from = airportParam(inv, query, "from", true)!;
          const to = airportParam(inv, query, "to", true)!;
          const day = dateParam(query, "date");
          const date = dateOf(day);
          const list = (inv.flightsByRoute.get(`${from}-${to}`) ?? []).flatMap((f) =>
            fares(inv, f, day).map((fare) => ({
              number: f.number,
              date,
              cabin: fare.cabin,
              price: decimal(fare.priceMinor),
              seats: fare.seats,
            })),
          );
          return jsonReply({ currency: "USD", fares: list });
        },
      },
    ],
  });
}
