// Room-nights: what a hotel stay takes from its room's availability when it
// is reserved (create.ts) and gives back when it is cancelled or fails
// (transitions.ts), each in the transaction of that change, with the
// RoomSoldOut / RoomAvailable events of the nights that cross zero. Flights
// take nothing: booking keeps no count of seats (the airline does).
import type { Context } from "../../endpoints/context.js";
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";
import type { Publisher } from "./events.js";
import { publishRoomAvailable, publishRoomSoldOut } from "./events.js";
import { nightsOf } from "./messages.js";
import type { BookingTransaction, RoomKey } from "./store.js";

/** The room and nights of a hotel stay; undefined for a flight. */
function stayOf(item: Item): { room: RoomKey; nights: string[] } | undefined {
  const kind = item.kind;
  if (kind.case !== "hotelStay" || !kind.value.checkIn || !kind.value.checkOut) return undefined;
  const stay = kind.value;
  return { room: { sellerId: item.sellerId, hotelId: stay.hotelId, roomId: stay.roomId }, nights: nightsOf(stay.checkIn!, stay.checkOut!) };
}

/** Takes one booking from each night of the stay; RoomSoldOut for the nights that reach zero. */
export async function takeRoom(bus: Publisher, tx: BookingTransaction, ctx: Context, item: Item, threshold: number): Promise<void> {
  const stay = stayOf(item);
  if (!stay) return;
  const soldOut = await tx.takeNights(stay.room, stay.nights, threshold);
  if (soldOut.length === 0) return;
  ctx.log.info({ room_id: stay.room.roomId, nights: soldOut }, "room sold out");
  await publishRoomSoldOut(bus, tx.outbox, ctx, stay.room, soldOut);
}

/** Gives back the booking of each night of the stay; RoomAvailable for the nights back from zero. */
export async function giveRoom(bus: Publisher, tx: BookingTransaction, ctx: Context, item: Item): Promise<void> {
  const stay = stayOf(item);
  if (!stay) return;
  const back = await tx.giveNights(stay.room, stay.nights);
  if (back.length === 0) return;
  ctx.log.info({ room_id: stay.room.roomId, nights: back }, "room available again");
  await publishRoomAvailable(bus, tx.outbox, ctx, stay.room, back);
}
