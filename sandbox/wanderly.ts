// Wanderly: the sandbox aggregator on port 7103. It pushes what it sells to
// our webhook (see wanderly-push.ts) and answers live quotes in GBP:
//   GET  /api/quote/hotel?property=&check_in=&check_out=   rooms with nightly prices; throttled, counted
//   GET  /api/quote/flights?from=&to=&date=                fares; throttled, counted
//   POST /api/bookings {"request_id","product","check_in","check_out"}  books a room (bookings.ts);
//        product = "<property>:<room>" ("P000123:DBL-STD"), the `product` of each room it lists and quotes
//   POST /api/bookings/cancel {"request_id"}  cancels it: 200 {"request_id","confirmation","status":"CANCELLED"}
//   POST /admin/push-now[?kind=snapshot|changes]           queue pushes at once (default snapshot)
//   GET  /admin/pushes                                     {"pending": N}: pushes queued or being delivered
import { pino } from "pino";
import { dateOf } from "./calendar.js";
import { inWindow, type Inventory } from "./inventory.js";
import { dateParam, HttpError, jsonObject, jsonReply, param, readBody, type Api, type Reply } from "./http.js";
import { startSellerServer, type RunningSeller, type SellerOptions } from "./seller-server.js";
import { productId, WanderlyOffer } from "./wanderly-offer.js";
import { BookingDesk, bookingRef, stayDays, unsellableStay } from "./bookings.js";
import { WanderlyPusher, type PushOptions } from "./wanderly-push.js";

export const WANDERLY_PORT = 7103;
const MAX_NIGHTS = 90;

export interface WanderlyOptions extends SellerOptions, Partial<PushOptions> {
  /** Share of hotels and flights it sells; default 0.1. */
  share?: number;
  /** Push a snapshot when it starts; default true. */
  pushOnStart?: boolean;
  /** Where its photos are reached, as its pushes name them; default the URL it listens on. */
  publicUrl?: string;
}

export interface RunningWanderly extends RunningSeller {
  offer: WanderlyOffer;
  /** Queues pushes; returns how many. */
  pushNow(kind?: "snapshot" | "changes"): number;
  /** Resolves when every queued push was delivered or dropped. */
  pushesIdle(): Promise<void>;
}

export const PUSH_DEFAULTS: PushOptions = {
  webhookUrl: "http://127.0.0.1:7008/webhooks/wanderly",
  secret: "itinera-development-webhook-key-wanderly",
  now: Date.now,
  intervalMs: 60_000,
  duplicateEvery: 0,
  retryBaseMs: 500,
  retryMaxMs: 30_000,
  maxAttempts: 10,
  batchHotels: 20,
  batchFlights: 20,
  timeoutMs: 10_000,
};

function errorReply(status: number, message: string): Reply {
  return jsonReply({ error: message }, status);
}

/** Why `product` cannot be booked, or undefined when it is a room Wanderly sells. */
function unknownProduct(inv: Inventory, offer: WanderlyOffer, product: string): string | undefined {
  const [property = "", room = ""] = product.split(":");
  const hotel = offer.sellsHotel(property) ? inv.hotelByCode.get(property) : undefined;
  if (!hotel || !hotel.rooms.some((r) => r.code === room) || productId(property, room) !== product) return `unknown room ${product}`;
  return undefined;
}

function bookingApi(inv: Inventory, offer: WanderlyOffer, desk: BookingDesk): Api {
  return {
    method: "POST",
    path: "/api/bookings",
    handle: async ({ raw }) => {
      const o = jsonObject(await readBody(raw));
      const ref = bookingRef(o.request_id, "request_id");
      if (typeof o.product !== "string" || o.product === "") throw new HttpError(400, `"product" must be a product id such as "P000123:DBL-STD"`);
      const product = o.product;
      const stay = stayDays(o.check_in, o.check_out, ["check_in", "check_out"]);
      const record = desk.book(ref, () => unknownProduct(inv, offer, product) ?? unsellableStay(inv, stay));
      if (record.status !== "CONFIRMED") return jsonReply({ request_id: ref, status: "REFUSED", reason: record.reason }, 409);
      return jsonReply({ request_id: ref, confirmation: record.confirmation, status: "CONFIRMED" }, record.requests === 1 ? 201 : 200);
    },
  };
}

function cancelApi(desk: BookingDesk): Api {
  return {
    method: "POST",
    path: "/api/bookings/cancel",
    handle: async ({ raw }) => {
      const ref = bookingRef(jsonObject(await readBody(raw)).request_id, "request_id");
      const record = desk.cancel(ref);
      return jsonReply({ request_id: ref, confirmation: record.confirmation, status: "CANCELLED" });
    },
  };
}

export async function startWanderly(opts: WanderlyOptions): Promise<RunningWanderly> {
  const inv = opts.inventory;
  const log = opts.log ?? pino({ level: "silent" });
  const offer = new WanderlyOffer(inv, opts.share);
  const desk = new BookingDesk("WL", 8);
  const pushOptions: PushOptions = { ...PUSH_DEFAULTS };
  for (const k of Object.keys(PUSH_DEFAULTS) as (keyof PushOptions)[]) {
    const v = opts[k];
    if (v !== undefined) (pushOptions as unknown as Record<string, unknown>)[k] = v;
  }
  let pusher: WanderlyPusher | undefined;
  let origin = opts.publicUrl ?? "";

  const airport = (q: URLSearchParams, name: string) => {
    const code = param(q, name).toUpperCase();
    if (!/^[A-Z]{3}$/.test(code)) throw new HttpError(400, `"${name}" must be an IATA airport code`);
    if (!inv.airportByIata.has(code)) throw new HttpError(404, `unknown airport ${code}`);
    return code;
  };

  const running = await startSellerServer(
    { ...opts, log },
    {
      errorReply,
      counters: ["pushes_sent", "push_failures", "duplicates_sent"],
      withAdmin: (admin) => {
        desk.attach(admin);
        pusher = new WanderlyPusher(inv, offer, admin, pushOptions, log, () => origin);
      },
      onClose: () => pusher?.close(),
      adminExtras: [
        ...desk.adminApis(),
        {
          method: "POST",
          path: "/admin/push-now",
          handle: ({ query }) => {
            const kind = query.get("kind") ?? "snapshot";
            if (kind !== "snapshot" && kind !== "changes") throw new HttpError(400, `"kind" must be snapshot or changes`);
            return jsonReply({ queued: pusher!.pushNow(kind) }, 202);
          },
        },
        // What a test waits on before it counts what the pushes wrote.
        { method: "GET", path: "/admin/pushes", handle: () => jsonReply({ pending: pusher!.pending }) },
      ],
      apis: [
        bookingApi(inv, offer, desk),
        cancelApi(desk),
        {
          method: "GET",
          path: "/api/quote/hotel",
          priced: true,
          handle: ({ query }) => {
            const property = param(query, "property");
            const hotel = inv.hotelByCode.get(property);
            if (!hotel || !offer.sellsHotel(property)) throw new HttpError(404, `property ${property} is not sold here`);
            const checkIn = dateParam(query, "check_in");
            const checkOut = dateParam(query, "check_out");
            if (checkOut <= checkIn) throw new HttpError(400, `"check_out" must be after "check_in"`);
            if (checkOut - checkIn > MAX_NIGHTS) throw new HttpError(400, `at most ${MAX_NIGHTS} nights`);
            // Only whole stays inside the sellable window are quoted.
            const sellable = inWindow(inv, checkIn) && inWindow(inv, checkOut - 1);
            const nights = sellable ? offer.hotelRates(hotel, checkIn, checkOut) : [];
            const rooms = hotel.rooms
              .map((room) => {
                const mine = nights.filter((n) => n.room === room.code);
                return {
                  room: room.code,
                  product: productId(property, room.code),
                  total_minor: mine.reduce((s, n) => s + n.price_minor, 0),
                  available: Math.min(...mine.map((n) => n.available)),
                  nights: mine.map(({ night, price_minor, available }) => ({ night, price_minor, available })),
                };
              })
              .filter((r) => r.nights.length > 0);
            return jsonReply({ property, check_in: dateOf(checkIn), check_out: dateOf(checkOut), currency: "GBP", rooms });
          },
        },
        {
          method: "GET",
          path: "/api/quote/flights",
          priced: true,
          handle: ({ query }) => {
            const from = airport(query, "from");
            const to = airport(query, "to");
            const day = dateParam(query, "date");
            const flights = (inv.flightsByRoute.get(`${from}-${to}`) ?? []).filter((f) => offer.sellsFlight(f.number));
            return jsonReply({ currency: "GBP", fares: flights.flatMap((f) => offer.flightFares(f, day)) });
          },
        },
      ],
    },
  );
  origin ||= running.url;
  pusher!.start(opts.pushOnStart ?? true);
  return {
    ...running,
    offer,
    pushNow: (kind = "snapshot") => pusher!.pushNow(kind),
    pushesIdle: () => pusher!.idle(),
  };
}
