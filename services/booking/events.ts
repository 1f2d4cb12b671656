// What booking publishes (proto/itinera/booking/v1/events.proto), always
// into the outbox of the transaction of the change it reports: a
// reservation's events keyed by its id (so they arrive in order), a room's
// nights sold out or available again keyed by the room id — one message per
// run of consecutive nights — each on its message's topic.
import { create } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { Date as CalendarDate } from "../../gen/itinera/type/v1/date_pb.js";
import { topicOf, type Bus, type Outbox } from "../../endpoints/bus.js";

export const RESERVATIONS = topicOf(ReservationEventSchema);
export const AVAILABILITY = topicOf(RoomSoldOutSchema);
export const RETURNS = topicOf(RoomAvailableSchema);

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

/** One room of one seller (store.ts RoomKey). */
interface Room {
  sellerId: string;
  hotelId: string;
  roomId: string;
}

/** RoomSoldOut for `nights` ("YYYY-MM-DD", sorted) that reached zero. */
export async function publishRoomSoldOut(bus: Publisher, outbox: Outbox, ctx: Context, room: Room, nights: readonly string[]): Promise<void> {
  for (const run of runsOf(nights)) {
    await bus.publish(outbox, AVAILABILITY, room.roomId, create(RoomSoldOutSchema, { ...room, ...run }), ctx);
  }
}

/** RoomAvailable for `nights` ("YYYY-MM-DD", sorted) back from zero. */
export async function publishRoomAvailable(bus: Publisher, outbox: Outbox, ctx: Context, room: Room, nights: readonly string[]): Promise<void> {
  for (const run of runsOf(nights)) {
    await bus.publish(outbox, RETURNS, room.roomId, create(RoomAvailableSchema, { ...room, ...run }), ctx);
  }
}

/** Sorted nights as runs of consecutive ones: the first night and the day after the last. */
export function runsOf(nights: readonly string[]): { checkIn: CalendarDate; checkOut: CalendarDate }[] {
  const runs: { checkIn: CalendarDate; checkOut: CalendarDate }[] = [];
  let start: number | undefined;
  let end = 0;
  const flush = () => {
    if (start !== undefined) runs.push({ checkIn: dateOf(start), checkOut: dateOf(end) });
  };
  for (const night of nights) {
    const day = Date.parse(`${night}T00:00:00Z`) / 86_400_000;
    if (start === undefined || day !== end) {
      flush();
      start = day;
    }
    end = day + 1;
  }
  flush();
  return runs;
}

function dateOf(day: number): CalendarDate {
  const d = new Date(day * 86_400_000);
  return { $typeName: "itinera.type.v1.Date", year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate() };
}
