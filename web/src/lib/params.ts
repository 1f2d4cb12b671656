// The app's URLs, built and read in one place: pages link to each other, the
// browser tests open them directly, and the gateway comes back to one of them.
import { parseIsoDate, toIsoDate, type DateParts } from "./dates.js";

/** A hotel search as its URL says: /hotels?q=Lisbon&in=2026-12-01&out=2026-12-04. */
export interface HotelSearch {
  q: string;
  checkIn: DateParts | undefined;
  checkOut: DateParts | undefined;
}

/** A flight search as its URL says: /flights?from=LIS&to=LHR&date=2026-12-01&return=2026-12-08. */
export interface FlightSearch {
  from: string;
  to: string;
  date: DateParts | undefined;
  returnDate: DateParts | undefined;
}

const query = (pairs: [string, string | undefined][]) => {
  const params = new URLSearchParams();
  for (const [key, value] of pairs) if (value !== undefined && value !== "") params.set(key, value);
  const text = params.toString();
  return text ? `?${text}` : "";
};

const iso = (d: DateParts | undefined) => (d ? toIsoDate(d) : undefined);

export const hotelSearchUrl = (s: HotelSearch): string =>
  `/hotels${query([["q", s.q.trim()], ["in", iso(s.checkIn)], ["out", iso(s.checkOut)]])}`;

export function parseHotelSearch(search: string): HotelSearch {
  const p = new URLSearchParams(search);
  return { q: (p.get("q") ?? "").trim(), checkIn: parseIsoDate(p.get("in")), checkOut: parseIsoDate(p.get("out")) };
}

export const hotelUrl = (hotelId: string, checkIn: DateParts | undefined, checkOut: DateParts | undefined): string =>
  `/hotel/${encodeURIComponent(hotelId)}${query([["in", iso(checkIn)], ["out", iso(checkOut)]])}`;

/** The hotel id of /hotel/<id>, or undefined when the path is not a hotel page. */
export function hotelIdOf(pathname: string): string | undefined {
  const match = /^\/hotel\/([^/]+)\/?$/.exec(pathname);
  if (!match?.[1]) return undefined;
  try {
    return decodeURIComponent(match[1]);
  } catch {
    return undefined;
  }
}

export const flightSearchUrl = (s: FlightSearch): string =>
  `/flights${query([
    ["from", s.from.toUpperCase()],
    ["to", s.to.toUpperCase()],
    ["date", iso(s.date)],
    ["return", iso(s.returnDate)],
  ])}`;

export function parseFlightSearch(search: string): FlightSearch {
  const p = new URLSearchParams(search);
  const code = (key: string) => (p.get(key) ?? "").trim().toUpperCase();
  return { from: code("from"), to: code("to"), date: parseIsoDate(p.get("date")), returnDate: parseIsoDate(p.get("return")) };
}

/**
 * Where to go after signing in: only a path of this site ("/trips"), never
 * another origin ("//evil.example", "https://…") — an open redirect otherwise.
 */
export function safeNext(next: string | null | undefined): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return "/";
  return next;
}

/** /signin?next=<where the visitor was>. */
export const signInUrl = (next: string): string => `/signin${query([["next", safeNext(next)]])}`;

/** /signup?next=… (the sign-in page links to it, keeping where to come back to). */
export const signUpUrl = (next: string): string => `/signup${query([["next", safeNext(next) === "/" ? undefined : safeNext(next)]])}`;

/** What the gateway's return URL carries: /trips/return?payment_id=…&status=authorised|declined. */
export interface PaymentReturn {
  paymentId: string;
  status: string;
}

export function parsePaymentReturn(search: string): PaymentReturn {
  const p = new URLSearchParams(search);
  return { paymentId: (p.get("payment_id") ?? "").trim(), status: (p.get("status") ?? "").trim().toLowerCase() };
}

/** The pages of the app, by path. */
export type Route =
  | { page: "home" }
  | { page: "hotels" }
  | { page: "hotel"; hotelId: string }
  | { page: "flights" }
  | { page: "trip-return" }
  | { page: "trips" }
  | { page: "wallet" }
  | { page: "operator" }
  | { page: "signin" }
  | { page: "signup" }
  | { page: "verify" }
  | { page: "not-found" };

export function routeOf(pathname: string): Route {
  const path = pathname.length > 1 ? pathname.replace(/\/+$/, "") : pathname;
  switch (path) {
    case "/":
      return { page: "home" };
    case "/hotels":
      return { page: "hotels" };
    case "/flights":
      return { page: "flights" };
    case "/trips/return":
      return { page: "trip-return" };
    case "/trips":
      return { page: "trips" };
    case "/wallet":
      return { page: "wallet" };
    case "/operator":
      return { page: "operator" };
    case "/signin":
      return { page: "signin" };
    case "/signup":
      return { page: "signup" };
    case "/verify":
      return { page: "verify" };
  }
  const hotelId = hotelIdOf(path);
  return hotelId ? { page: "hotel", hotelId } : { page: "not-found" };
}
