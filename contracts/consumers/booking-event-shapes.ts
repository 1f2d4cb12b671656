// What the consumers of booking's events (proto/itinera/booking/v1/events.proto)
// describe alike: a reservation id as booking makes them, amounts in proto
// JSON, and where each event travels on the bus — {topic, key} with the key
// the reservation id or the room id, on the topic the message declares.
import { topicOf } from "../../endpoints/bus.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { int64String, Matchers } from "../pact.js";
import { onTopic } from "../messages.js";

const { like, regex } = Matchers;

/** Booking's ids: "res_" and lower-case base32 (services/booking/ids.ts). */
export const RESERVATION_ID = /^res_[a-z2-7]+$/;
const CURRENCY = /^[A-Z]{3}$/;

export const reservationId = (example: string) => regex(RESERVATION_ID, example);

/** An itinera.type.v1.Money with an amount: any int64 string, any ISO currency code. */
export const money = (amountMinor: string, currency = "EUR") => ({ amountMinor: int64String(amountMinor), currency: regex(CURRENCY, currency) });

/** Only the currency of an itinera.type.v1.Money (its amount is not read). */
export const currencyOnly = (currency = "EUR") => ({ currency: regex(CURRENCY, currency) });

/** A ReservationEvent's place on the bus: its topic, keyed by the reservation id. */
export const onReservations = (exampleId: string) => onTopic(topicOf(ReservationEventSchema).name, reservationId(exampleId));

/** A RoomSoldOut's place on the bus: its topic, keyed by the room id. */
export const onAvailability = (exampleRoomId: string) => onTopic(topicOf(RoomSoldOutSchema).name, like(exampleRoomId));

/** A RoomAvailable's place on the bus: its topic, keyed by the room id. */
export const onReturns = (exampleRoomId: string) => onTopic(topicOf(RoomAvailableSchema).name, like(exampleRoomId));
