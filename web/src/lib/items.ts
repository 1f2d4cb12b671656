// What Book sends: the itinera.type.v1.Item built from the result the page
// shows, and the price it showed (StartBooking refuses when it has changed).
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { FlightResult, HotelResult, RoomResult } from "../../../gen/itinera/search/v1/search_pb.js";
import type { ItemSchema } from "../../../gen/itinera/type/v1/item_pb.js";
import { daysBetween, nightsLabel, type DateParts } from "./dates.js";
import { formatShortDate, parseLocalTime } from "./flights.js";
import { sumMoney, type MoneyLike } from "./money.js";
import { hasPrice } from "./results.js";
import { walletMarkdown } from "../../../platform/money.js";

export type ItemInit = MessageInitShape<typeof ItemSchema>;

/** A bookable item and the price shown for it — or why it cannot be booked. */
export type Booking = { item: ItemInit; shownPrice: MoneyLike } | { problem: string };

const money = (m: MoneyLike): MoneyLike => ({ amountMinor: m.amountMinor, currency: m.currency });

export function hotelStayBooking(hotel: HotelResult, room: RoomResult, checkIn: DateParts, checkOut: DateParts): Booking {
  if (!hasPrice(room.price)) return { problem: "This room has no price right now, so it cannot be booked." };
  const nights = daysBetween(checkIn, checkOut);
  return {
    item: {
      sellerId: room.price.sellerId,
      premium: false,
      title: `${hotel.name}, ${hotel.cityName} — ${room.name}, ${nightsLabel(nights)}`,
      kind: {
        case: "hotelStay",
        value: {
          hotelId: hotel.hotelId,
          roomId: room.roomId,
          checkIn: { ...checkIn },
          checkOut: { ...checkOut },
          starRating: hotel.starRating,
        },
      },
    },
    shownPrice: money(room.price.price),
  };
}

const leg = (f: FlightResult) => {
  const date = parseLocalTime(f.departureLocal)?.date;
  return `${f.flightNumber} ${f.origin} → ${f.destination}${date ? `, ${formatShortDate(date)}` : ""}`;
};

/**
 * One way (no inbound) or a return trip; both legs must be sold by one seller
 * (an Item has one). Search shows each leg with the wallet taken off on its
 * own, so a return trip's price is computed again from both listed prices with
 * the wallet taken off once — as the BFF prices it.
 */
export function flightTripBooking(outbound: FlightResult, inbound?: FlightResult, walletAvailable?: MoneyLike): Booking {
  if (!hasPrice(outbound.price) || (inbound && !hasPrice(inbound.price))) {
    return { problem: "This flight has no price right now, so it cannot be booked." };
  }
  if (inbound && inbound.price?.sellerId !== outbound.price.sellerId) {
    return { problem: "These two flights are sold by different sellers: book each of them on its own." };
  }
  const listed = inbound ? sumMoney([outbound.price.listed, inbound.price?.listed]) : undefined;
  if (inbound && !listed) return { problem: "These two flights are priced in different currencies: book each of them on its own." };
  const balance = listed && walletAvailable?.currency === listed.currency ? walletAvailable.amountMinor : 0n;
  const total = listed ? { amountMinor: listed.amountMinor - walletMarkdown(listed.amountMinor, balance), currency: listed.currency } : money(outbound.price.price);
  return {
    item: {
      sellerId: outbound.price.sellerId,
      premium: false,
      title: inbound ? `${leg(outbound)}; return ${leg(inbound)}` : leg(outbound),
      kind: {
        case: "flightTrip",
        // The route, with the dates in the flight ids, is how the BFF finds the fare again.
        value: {
          outboundFlightId: outbound.flightId,
          returnFlightId: inbound?.flightId ?? "",
          origin: outbound.origin,
          destination: outbound.destination,
        },
      },
    },
    shownPrice: total,
  };
}

/** A fresh key per click on Book: StartBooking answers a retry of the same click the same. */
export function newIdempotencyKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  // getRandomValues, not randomUUID: the latter needs a secure context, and the
  // app may be opened over plain http on a LAN address.
  const bytes = random(new Uint8Array(16));
  return "web-" + Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
}
