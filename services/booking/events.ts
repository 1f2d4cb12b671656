// What booking publishes (proto/itinera/booking/v1/events.proto), always
// inside the transaction of the change it reports: a reservation's events on
// "booking.reservations" keyed by its id (so they arrive in order), a sold-out
// room on "booking.availability" keyed by the room id.
import { create } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Context } from "../../endpoints/context.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomSoldOutSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { HotelStay } from "../../gen/itinera/type/v1/item_pb.js";
import type { Bus } from "../../endpoints/bus.js";

export const RESERVATIONS_TOPIC = "booking.reservations";
export const AVAILABILITY_TOPIC = "booking.availability";

/** The publishing half of the bus: all booking needs to write events. */
export type Publisher = Pick<Bus, "publish">;

type EventCase = NonNullable<ReservationEvent["event"]["case"]>;

export function publishReservationEvent(
  bus: Publisher,
  trx: Knex.Transaction,
  ctx: Context,
  kind: EventCase,
  reservation: Reservation,
): Promise<bigint> {
  const event = create(ReservationEventSchema, { event: { case: kind, value: { reservation } } });
  return bus.publish(trx, RESERVATIONS_TOPIC, reservation.reservationId, ReservationEventSchema, event, ctx);
}

export function publishRoomSoldOut(bus: Publisher, trx: Knex.Transaction, ctx: Context, sellerId: string, stay: HotelStay): Promise<bigint> {
  const message = create(RoomSoldOutSchema, {
    sellerId,
    hotelId: stay.hotelId,
    roomId: stay.roomId,
    ...(stay.checkIn ? { checkIn: stay.checkIn } : {}),
    ...(stay.checkOut ? { checkOut: stay.checkOut } : {}),
  });
  return bus.publish(trx, AVAILABILITY_TOPIC, stay.roomId, RoomSoldOutSchema, message, ctx);
}
