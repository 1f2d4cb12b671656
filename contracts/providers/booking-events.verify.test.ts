// Booking's events against every committed pact that names "booking-events"
// (sellers', mailer's and pricing's): for each message a consumer described,
// booking's real service (services/booking/fixture.ts: its own database with
// the "booking" and "bus" schemas, a fake wallet) is made to do the thing —
// make a reservation, confirm it, fail it, cancel it, sell out a room's
// last night and cancel that booking — and the message it published is read back from the bus's
// log (bus.messages) and handed to Pact in protobuf JSON with its topic and key.
//
// And the check that verification can fail: the same booking, except that
// its ReservationPaid leaves out the card amount (what sellers refunds when
// the seller refuses), must not pass sellers' pact.
import { clone, create, type MessageInitShape } from "@bufbuild/protobuf";
import { basename } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { access } from "../../endpoints/middleware/access.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { BookingService, type CreateReservationRequestSchema } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import { DateSchema } from "../../gen/itinera/type/v1/date_pb.js";
import { DEFAULT_SETTINGS } from "../../services/booking/deps.js";
import { type Publisher } from "../../services/booking/events.js";
import { BOOKING_PRINCIPAL, bookingFixture, createRequest, eur, hotelItem, newPaymentId, type BookingFixture } from "../../services/booking/fixture.js";
import { nightsOf } from "../../services/booking/messages.js";
import { bookingService } from "../../services/booking/service.js";
import { bookingValidators } from "../../services/booking/validators.js";
import { busLog, verifyMessageProvider, type MessageProducer } from "../message-provider.js";
import { PACTS_DIR, stringParam, type ProviderStates, type StateParams } from "../pact.js";
import { topicOf } from "../../endpoints/bus.js";

/** Bookings a room-night takes before RoomSoldOut. */
const ROOM_THRESHOLD = 3;
const SETTINGS = { ...DEFAULT_SETTINGS, roomThreshold: ROOM_THRESHOLD };

let f: BookingFixture;
let log: ReturnType<typeof busLog>;

type CreateRequest = MessageInitShape<typeof CreateReservationRequestSchema>;

/** What the last provider state set up, for the message that follows it: a request to make, or a reservation made. */
type Scene = { request: CreateRequest } | { reservationId: string; customerId: string; amountMinor: bigint };
let scene: Scene | undefined;

/** The scene of the state before, once: a message without its state fails, naming what it missed. */
function take<K extends "request" | "reservationId">(what: K): Extract<Scene, Record<K, unknown>> {
  const s = scene;
  scene = undefined;
  if (!s || !(what in s)) throw new Error(`no provider state set up the ${what === "request" ? "payment" : "reservation"} this message needs`);
  return s as Extract<Scene, Record<K, unknown>>;
}

const tuple = (iso: string) => iso.split("-").map(Number) as [number, number, number];

/** The hotel stay a state names: sellerId, hotelId, roomId, checkIn, checkOut. */
function stayOf(params: StateParams) {
  const [sellerId, hotelId, roomId] = [stringParam(params, "sellerId"), stringParam(params, "hotelId"), stringParam(params, "roomId")];
  return hotelItem({ sellerId, hotelId, roomId, checkIn: tuple(stringParam(params, "checkIn")), checkOut: tuple(stringParam(params, "checkOut")) });
}

/** Units left of each night of a stay (booking's availability table; a night nobody booked has the threshold). */
async function unitsLeft(item: ReturnType<typeof hotelItem>): Promise<number[]> {
  if (item.kind?.case !== "hotelStay") throw new Error("not a hotel stay");
  const stay = item.kind.value;
  const rows = (await f.db.knex.raw(
    `select to_char(night, 'YYYY-MM-DD') as night, remaining from availability where seller_id = ? and hotel_id = ? and room_id = ?`,
    [item.sellerId, stay.hotelId, stay.roomId],
  )) as { rows: { night: string; remaining: number }[] };
  const left = new Map(rows.rows.map((r) => [r.night, r.remaining]));
  return nightsOf(create(DateSchema, stay.checkIn), create(DateSchema, stay.checkOut)).map((night) => left.get(night) ?? ROOM_THRESHOLD);
}
const amountOf = (params: StateParams) => BigInt(stringParam(params, "amountMinor"));
let rooms = 0;

/** A paid reservation of a hotel stay (a room of its own, so that no other state's bookings count against it). */
async function paidReservation(client: Client<typeof BookingService>, params: StateParams) {
  const customerId = stringParam(params, "customerId");
  const markdownMinor = params.markdownMinor === undefined ? 0n : BigInt(stringParam(params, "markdownMinor"));
  f.wallet.setBalance(customerId, f.wallet.balance(customerId) + markdownMinor);
  const request = createRequest({ customerId, amountMinor: amountOf(params), markdownMinor, item: hotelItem({ roomId: `r-pact-${++rooms}` }) });
  const { reservation } = await client.createReservation(f.serviceCtx("payment"), request);
  scene = { reservationId: reservation!.reservationId, customerId, amountMinor: amountOf(params) };
  return reservation!;
}

/** The states booking's consumers name, set up through booking's service. */
const states = (client: Client<typeof BookingService>): ProviderStates => ({
  async "a customer paid for a hotel stay"(params) {
    scene = { request: createRequest({ item: stayOf(params), amountMinor: amountOf(params) }) };
  },
  async "a customer paid for a flight"(params) {
    const item = {
      sellerId: stringParam(params, "sellerId"),
      title: "Lisbon → Paris",
      kind: { case: "flightTrip" as const, value: { outboundFlightId: stringParam(params, "outboundFlightId"), returnFlightId: "" } },
    };
    scene = { request: createRequest({ item, amountMinor: amountOf(params) }) };
  },
  async "a reservation is paid"(params) {
    await paidReservation(client, params);
  },
  async "a reservation is confirmed by the seller"(params) {
    const r = await paidReservation(client, params);
    await client.confirmReservation(f.serviceCtx("sellers"), { reservationId: r.reservationId, sellerReference: `CASA-${r.reservationId.slice(4, 10)}` });
  },
  async "a room has one unit left for a stay"(params) {
    const item = stayOf(params);
    // Other payments take all units but one (whatever earlier states booked of it).
    const left = await unitsLeft(item);
    if (new Set(left).size !== 1 || left[0]! < 1) throw new Error(`the state needs the stay's nights equally free; units left per night: ${left.join(", ")}`);
    for (let i = 1; i < left[0]!; i++) await client.createReservation(f.serviceCtx("payment"), createRequest({ customerId: "c-other", item }));
    const now = await unitsLeft(item);
    if (now.some((n) => n !== 1)) throw new Error(`the state needs one unit left of every night of the stay; units left per night: ${now.join(", ")}`);
    scene = { request: createRequest({ item }) };
  },
  async "a booking of a room's last unit for a stay is cancelled"(params) {
    const item = stayOf(params);
    // Every unit of every night taken, the last by one customer's reservation, whose cancellation follows:
    // one unit left of each night, whatever earlier states booked of it (a sold-out room's count set back),
    if (item.kind?.case !== "hotelStay") throw new Error("not a hotel stay");
    const stay = item.kind.value;
    await f.db.knex.raw(
      `insert into availability (seller_id, hotel_id, room_id, night, remaining)
       select ?, ?, ?, night, 1 from unnest(?::date[]) as night
       on conflict (seller_id, hotel_id, room_id, night) do update set remaining = 1`,
      [item.sellerId, stay.hotelId, stay.roomId, nightsOf(create(DateSchema, stay.checkIn), create(DateSchema, stay.checkOut))],
    );
    // then taken by the reservation to cancel.
    const { reservation } = await client.createReservation(f.serviceCtx("payment"), createRequest({ customerId: "c-last", item }));
    if ((await unitsLeft(item)).some((n) => n !== 0)) throw new Error("the state needs every night of the stay sold out");
    scene = { reservationId: reservation!.reservationId, customerId: "c-last", amountMinor: reservation!.amount!.amountMinor };
  },
});

/** Each message the consumers describe, made by booking's service and read back from the bus. */
function producers(client: Client<typeof BookingService>): Record<string, MessageProducer> {
  const reservationEvent = async (act: () => Promise<string>) => {
    const mark = await log.mark();
    const reservationId = await act();
    return log.publishedOne(mark, topicOf(ReservationEventSchema).name, ReservationEventSchema, reservationId);
  };
  const pay = async () => (await client.createReservation(f.serviceCtx("payment"), take("request").request)).reservation!.reservationId;
  return {
    "a reservation paid for a hotel stay": () => reservationEvent(pay),
    "a reservation paid for a flight": () => reservationEvent(pay),
    "a reservation confirmed by the seller": () =>
      reservationEvent(async () => {
        const { reservationId } = take("reservationId");
        await client.confirmReservation(f.serviceCtx("sellers"), { reservationId, sellerReference: "CASA-7781" });
        return reservationId;
      }),
    "a reservation the seller could not book": () =>
      reservationEvent(async () => {
        const { reservationId, amountMinor } = take("reservationId");
        const reason = "The hotel could not confirm your room: No rooms left. Your card payment has been refunded in full.";
        await client.failReservation(f.serviceCtx("sellers"), { reservationId, reason, refunded: eur(amountMinor) });
        return reservationId;
      }),
    "a confirmed reservation cancelled by the customer": () =>
      reservationEvent(async () => {
        const { reservationId, customerId } = take("reservationId");
        await client.cancelReservation(f.customer(customerId), { reservationId });
        return reservationId;
      }),
    "a room sold out for a stay": async () => {
      const mark = await log.mark();
      const { request } = take("request");
      await client.createReservation(f.serviceCtx("payment"), request);
      const roomId = request.item?.kind?.case === "hotelStay" ? (request.item.kind.value.roomId ?? "") : "";
      return log.publishedOne(mark, topicOf(RoomSoldOutSchema).name, RoomSoldOutSchema, roomId);
    },
    "a room available again for a stay": async () => {
      const mark = await log.mark();
      const { reservationId, customerId } = take("reservationId");
      const { reservation } = await client.cancelReservation(f.customer(customerId), { reservationId });
      const item = reservation!.item!;
      const roomId = item.kind.case === "hotelStay" ? item.kind.value.roomId : "";
      return log.publishedOne(mark, topicOf(RoomAvailableSchema).name, RoomAvailableSchema, roomId);
    },
  };
}

/** Booking's service as the fixture builds it, publishing through `bus`. */
function bookingOver(bus: Publisher): Client<typeof BookingService> {
  const service = bookingService({
    store: f.store,
    bus,
    wallet: f.wallet.client,
    servicePrincipal: async () => BOOKING_PRINCIPAL,
    pageTokenSecret: "test-secret",
    settings: SETTINGS,
  });
  return localClient(BookingService, service, access(), validation(bookingValidators()));
}

/** The real bus, except that a ReservationPaid goes out without the reservation's card amount. */
function paidWithoutAmount(bus: Publisher): Publisher {
  return {
    publish(outbox, topic, key, message, ctx) {
      if (topic.schema.typeName !== ReservationEventSchema.typeName) return bus.publish(outbox, topic, key, message, ctx);
      const event = clone(ReservationEventSchema, message as unknown as ReservationEvent);
      if (event.event.case === "paid" && event.event.value.reservation) event.event.value.reservation.amount = undefined;
      return bus.publish(outbox, topicOf(ReservationEventSchema), key, event, ctx);
    },
  };
}

test.before(async () => {
  f = await bookingFixture({ settings: SETTINGS });
  log = busLog(f.db.knex);
});
test.after(async () => {
  await f?.close();
});

test("booking publishes every event its consumers' pacts describe", async () => {
  const result = await verifyMessageProvider("booking-events", producers(f.client), states(f.client));
  assert.equal(result.pacts.map((p) => basename(p)), ["mailer-booking-events.json", "pricing-booking-events.json", "sellers-booking-events.json"]);
  assert.is(result.interactions, 8);
});

test("a booking whose ReservationPaid leaves out the card amount fails sellers' pact, naming the message and the key", async () => {
  const leaky = bookingOver(paidWithoutAmount(f.bus));
  const error = await verifyMessageProvider("booking-events", producers(leaky), states(leaky), {
    pactFiles: [`${PACTS_DIR}sellers-booking-events.json`],
  }).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.instance(error, Error, "verification must fail");
  assert.match(error!.message, /the "booking-events" provider does not satisfy its consumers' pacts/);
  assert.match(error!.message, /a reservation paid for a hotel stay/);
  assert.match(error!.message, /\$\.paid\.reservation: Actual map is missing the following keys: amount/);
});

test.run();
