// SkyLark Air: the sandbox airline, a JSON API on port 7101.
//   GET /v1/version                          {"version"}: the ETag of airports, routes and schedules; If-None-Match → 304
//   GET /v1/airports                         every airport it flies from or to
//   GET /v1/routes                           every directed airport pair
//   GET /v1/schedules?from=&to=&date=        departures (filters optional; no date = every day)
//   GET /v1/fares?from=&to=&date=            fares in USD, throttled, counted as searches
//   POST /v2/bookings {"booking_ref","flights":[id…]}   tickets dated flights (bookings.ts)
//   POST /v2/bookings/cancel {"booking_ref"}            cancels them: 200 {"booking_ref","locator","status":"CANCELLED"}
// Times are local at each airport ("2026-12-01T08:15"); zones are in /v1/airports.
// A dated flight's id is "<number>-<date>" ("SL101-2026-12-01"): the `id` of
// /v1/schedules and /v1/fares entries, and what /v2/bookings takes.
import { dateOf, dayNumber } from "./calendar.js";
import { departure, fares, inWindow, windowDays, CARRIER, type Departure, type Flight, type Inventory } from "./inventory.js";
import { conditional, dateParam, decimal, HttpError, jsonObject, jsonReply, param, readBody, type Api, type Reply } from "./http.js";
import { feedVersion } from "./feed-version.js";
import { BookingDesk, bookingRef } from "./bookings.js";
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
    id: flightId(f.number, d.date),
  };
}

/** The id of one dated departure: "SL101-2026-12-01". */
export function flightId(number: string, date: string): string {
  return `${number}-${date}`;
}

/** Why a flight id cannot be ticketed, or undefined when it names a departure on sale. */
function unknownFlight(inv: Inventory, id: string): string | undefined {
  const m = /^([A-Z0-9]{2}\d{1,4})-(\d{4}-\d{2}-\d{2})$/.exec(id);
  const day = m ? dayNumber(m[2]!) : undefined;
  if (!m || !inv.flightByNumber.has(m[1]!) || day === undefined || !inWindow(inv, day)) return `unknown flight ${id}`;
  return undefined;
}

function bookingApi(inv: Inventory, desk: BookingDesk): Api {
  return {
    method: "POST",
    path: "/v2/bookings",
    handle: async ({ raw }) => {
      const o = jsonObject(await readBody(raw));
      const ref = bookingRef(o.booking_ref, "booking_ref");
      const flights = o.flights;
      if (!Array.isArray(flights) || flights.length === 0 || flights.length > 10 || !flights.every((f) => typeof f === "string")) {
        throw new HttpError(400, `"flights" must be a list of 1 to 10 flight ids such as "SL101-2026-12-01"`);
      }
      const record = desk.book(ref, () => flights.map((id: string) => unknownFlight(inv, id)).find((r) => r !== undefined));
      if (record.status !== "CONFIRMED") return jsonReply({ booking_ref: ref, status: "REFUSED", reason: record.reason }, 409);
      return jsonReply({ booking_ref: ref, locator: record.confirmation, status: "TICKETED" }, record.requests === 1 ? 201 : 200);
    },
  };
}

function cancelApi(desk: BookingDesk): Api {
  return {
    method: "POST",
    path: "/v2/bookings/cancel",
    handle: async ({ raw }) => {
      const ref = bookingRef(jsonObject(await readBody(raw)).booking_ref, "booking_ref");
      const record = desk.cancel(ref);
      return jsonReply({ booking_ref: ref, locator: record.confirmation, status: "CANCELLED" });
    },
  };
}

function flightsMatching(inv: Inventory, from?: string, to?: string): Flight[] {
  if (from && to) return inv.flightsByRoute.get(`${from}-${to}`) ?? [];
  return inv.flights.filter((f) => (!from || f.from === from) && (!to || f.to === to));
}

export function startSkylark(opts: SellerOptions): Promise<RunningSeller> {
  const inv = opts.inventory;
  const desk = new BookingDesk("SK", 6);
  const version = feedVersion(inv, ["airports", "routes", "flights"]);
  return startSellerServer(opts, {
    errorReply,
    withAdmin: (admin) => desk.attach(admin),
    adminExtras: desk.adminApis(),
    apis: [
      bookingApi(inv, desk),
      cancelApi(desk),
      { method: "GET", path: "/v1/version", handle: ({ raw }) => conditional(raw, version, () => jsonReply({ version })) },
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
              id: flightId(f.number, date),
            })),
          );
          return jsonReply({ currency: "USD", fares: list });
        },
      },
    ],
  });
}
