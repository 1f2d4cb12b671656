// What booking publishes (proto/itinera/booking/v1/events.proto), always
// into the outbox of the transaction of the change it reports: a
// reservation's events keyed by its id (so they arrive in order), a sold-out
// room keyed by the room id, each on its message's topic.
import { create } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomSoldOutSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { HotelStay } from "../../gen/itinera/type/v1/item_pb.js";
import { topicOf, type Bus, type Outbox } from "../../endpoints/bus.js";

export const RESERVATIONS = topicOf(ReservationEventSchema);
export const AVAILABILITY = topicOf(RoomSoldOutSchema);

/** The publishing half of the bus: all booking needs to write events. */
export type Publisher = Pick<Bus, "publish">;

type EventCase = NonNullable<ReservationEvent["event"]["case"]>;

export function publishReservationEvent(
  bus: Publisher,
  outbox: Outbox,
  ctx: Context,
  kind: EventCase,
  reservation: Reservation,
): Promise<bigint> {
  const event = create(ReservationEventSchema, { event: { case: kind, value: { reservation } } });
  return bus.publish(outbox, RESERVATIONS, reservation.reservationId, event, ctx);
}

export function publishRoomSoldOut(bus: Publisher, outbox: Outbox, ctx: Context, sellerId: string, stay: HotelStay): Promise<bigint> {
  const message = create(RoomSoldOutSchema, {
    sellerId,
    hotelId: stay.hotelId,
    roomId: stay.roomId,
    ...(stay.checkIn ? { checkIn: stay.checkIn } : {}),
    ...(stay.checkOut ? { checkOut: stay.checkOut } : {}),
  });
  return bus.publish(outbox, AVAILABILITY, stay.roomId, message, ctx);
}
