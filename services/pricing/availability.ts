// RoomSoldOut (on its topic, group "pricing-availability"):
// booking sold the last of a room for a stay, so pricing's stored prices of
// that room for those nights are no longer firm. InvalidateRoom's logic,
// narrowed to the seller and the nights of the stay: the rates and the
// totals that include one of those nights turn STALE — which is how pricing
// refreshes them: GetHotelOffers asks the sellers live for a hotel with a
// stale total, and the seller's next rates make them fresh again. Once per
// message (inbox, same transaction).
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import { RoomSoldOutSchema, type RoomSoldOut } from "../../gen/itinera/booking/v1/events_pb.js";
import { topicOf, type Bus, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import { isoDate, daysBetween } from "./dates.js";
import type { PricingStore } from "./store.js";

export const AVAILABILITY_GROUP = "pricing-availability";

export function roomSoldOutHandler(store: PricingStore): MessageHandler<RoomSoldOut> {
  return async (ctx, m, meta) => {
    const problem = invalid(m);
    if (problem) {
      // It will never become valid: retrying would only hold back the room's next messages.
      ctx.log.error({ message_id: String(meta.messageId), problem }, "RoomSoldOut dropped");
      return;
    }
    const stay = { checkIn: isoDate(m.checkIn!), checkOut: isoDate(m.checkOut!) };
    const totals = await store.roomSoldOut(meta, { hotelId: m.hotelId, roomId: m.roomId, sellerId: m.sellerId, stay });
    if (totals === undefined) return;
    ctx.log.info(
      { seller_id: m.sellerId, hotel_id: m.hotelId, room_id: m.roomId, check_in: stay.checkIn, check_out: stay.checkOut, totals },
      "room sold out for a stay: its prices are stale until refreshed",
    );
  };
}

export function subscribeRoomSoldOut(bus: Bus, store: PricingStore): Promise<Subscription> {
  return bus.subscribe({ topic: topicOf(RoomSoldOutSchema), group: AVAILABILITY_GROUP, handler: roomSoldOutHandler(store) });
}

function invalid(m: RoomSoldOut): string | undefined {
  if (m.hotelId === "" || m.roomId === "") return "hotel_id and room_id are required";
  if (!validDate(m.checkIn) || !validDate(m.checkOut)) return "check_in and check_out must be dates";
  if (daysBetween(isoDate(m.checkIn!), isoDate(m.checkOut!)) <= 0) return "check_out must be after check_in";
  return undefined;
}

function validDate(d: CalendarDate | undefined): boolean {
  if (!d) return false;
  const t = new Date(Date.UTC(d.year, d.month - 1, d.day));
  return d.year >= 1 && t.getUTCFullYear() === d.year && t.getUTCMonth() === d.month - 1 && t.getUTCDate() === d.day;
}
