// Booking's room availability (group "pricing-availability"):
//   RoomSoldOut    booking sold the last of a room for some nights, so
//                  pricing's stored prices of that room for those nights are
//                  no longer firm. InvalidateRoom's logic, narrowed to the
//                  seller and the nights: the rates and the totals that
//                  include one of those nights turn STALE — which is how
//                  pricing refreshes them: GetHotelOffers asks the sellers
//                  live for a hotel with a stale total, and the seller's next
//                  rates make them fresh again.
//   RoomAvailable  a cancelled or failed reservation gave those nights back:
//                  what RoomSoldOut made STALE is firm (FRESH) again.
// The two come on separate topics, so in any order: the store counts them
// per night (sold_out_nights) and a night is firm again only once every
// RoomSoldOut of it has its RoomAvailable. Once per message (inbox, same
// transaction).
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import { RoomAvailableSchema, RoomSoldOutSchema, type RoomAvailable, type RoomSoldOut } from "../../gen/itinera/booking/v1/events_pb.js";
import { topicOf, type Bus, type DeliveryMeta, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import { isoDate, daysBetween } from "./dates.js";
import type { PricingStore, StaleScope } from "./store.js";

export const AVAILABILITY_GROUP = "pricing-availability";

export function roomSoldOutHandler(store: PricingStore): MessageHandler<RoomSoldOut> {
  return availabilityHandler({
    event: "RoomSoldOut",
    problem: invalid,
    apply: (meta, scope) => store.roomSoldOut(meta, scope),
    applied: "room sold out for a stay: its prices are stale until refreshed",
  });
}

export function roomAvailableHandler(store: PricingStore): MessageHandler<RoomAvailable> {
  return availabilityHandler({
    event: "RoomAvailable",
    problem: (m) => invalid(m) ?? (m.sellerId === "" ? "seller_id is required" : undefined),
    apply: (meta, scope) => store.roomAvailable(meta, scope),
    applied: "room available again for a stay: the prices its sell-out made stale are firm again",
  });
}

/** What one of the two consumers does with its event: the rest of the handling is the same. */
interface AvailabilityChange<M extends RoomSoldOut | RoomAvailable> {
  /** The event's name in the log. */
  event: string;
  /** Why the message can never be applied, or undefined. */
  problem: (m: M) => string | undefined;
  /** The store's change, once per message: the totals it changed, undefined for a message seen before. */
  apply: (meta: DeliveryMeta, scope: Required<StaleScope>) => Promise<number | undefined>;
  /** The info line logged once the change is made. */
  applied: string;
}

function availabilityHandler<M extends RoomSoldOut | RoomAvailable>(change: AvailabilityChange<M>): MessageHandler<M> {
  return async (ctx, m, meta) => {
    const problem = change.problem(m);
    if (problem) {
      // It will never become valid: retrying would only hold back the room's next messages.
      ctx.log.error({ message_id: String(meta.messageId), problem }, `${change.event} dropped`);
      return;
    }
    const stay = { checkIn: isoDate(m.checkIn!), checkOut: isoDate(m.checkOut!) };
    const totals = await change.apply(meta, { hotelId: m.hotelId, roomId: m.roomId, sellerId: m.sellerId, stay });
    if (totals === undefined) return;
    ctx.log.info(
      { seller_id: m.sellerId, hotel_id: m.hotelId, room_id: m.roomId, check_in: stay.checkIn, check_out: stay.checkOut, totals },
      change.applied,
    );
  };
}

/** Both consumers (main.ts), in one group. */
export async function subscribeAvailability(bus: Bus, store: PricingStore): Promise<Subscription[]> {
  return [
    await bus.subscribe({ topic: topicOf(RoomSoldOutSchema), group: AVAILABILITY_GROUP, handler: roomSoldOutHandler(store) }),
    await bus.subscribe({ topic: topicOf(RoomAvailableSchema), group: AVAILABILITY_GROUP, handler: roomAvailableHandler(store) }),
  ];
}

function invalid(m: RoomSoldOut | RoomAvailable): string | undefined {
  if (m.hotelId === "" || m.roomId === "") return "hotel_id and room_id are required";
  if (!validDate(m.checkIn) || !validDate(m.checkOut)) return "check_in and check_out must be dates";
  const nights = daysBetween(isoDate(m.checkIn!), isoDate(m.checkOut!));
  if (nights <= 0) return "check_out must be after check_in";
  if (nights > 366) return "a stay is at most 366 nights";
  return undefined;
}

function validDate(d: CalendarDate | undefined): boolean {
  if (!d) return false;
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return d.year >= 1 && t.getUTCFullYear() === d.year && t.getUTCMonth() === d.month - 1 && t.getUTCDate() === d.day;
}
