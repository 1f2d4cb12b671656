// pricing ← booking's events: what pricing's availability consumer
// (services/pricing/availability.ts, group "pricing-availability" on
// "booking.availability" and "booking.returns") needs of a RoomSoldOut and
// a RoomAvailable, written by running its handlers on the messages Pact
// hands over, on pricing's real store (services/pricing/fixture.ts, as its
// own availability test does).
//
// Pricing reads seller_id (only that seller's prices turn stale), hotel_id
// and room_id (which room), check_in and check_out (which nights): the
// room's prices for those nights turn STALE, every other price stays FRESH;
// a RoomAvailable of the same fields makes them FRESH again.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RoomAvailableSchema, RoomSoldOutSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { AVAILABILITY_GROUP, roomAvailableHandler, roomSoldOutHandler } from "../../services/pricing/availability.js";
import { dateMessage } from "../../services/pricing/dates.js";
import { nightsOf, pricingFixture, type PricingFixture } from "../../services/pricing/fixture.js";
import { dateTemplate, delivered, messagePact, type MessagePact } from "../messages.js";
import { Matchers } from "../pact.js";
import { onAvailability, onReturns } from "./booking-event-shapes.js";

const { like, regex } = Matchers;
/** Pricing's "now": before the stay, inside its precomputed window. */
const CLOCK = new Date("2027-03-01T10:00:00Z");
const HOTEL = "h-P000001";

let pact: MessagePact;
let f: PricingFixture;

test.before(async () => {
  pact = await messagePact("pricing", "booking-events");
  f = await pricingFixture({ now: CLOCK });
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

/** [room, seller, source] of the hotel's offers for a stay. */
async function sources(checkIn: string, checkOut: string) {
  const res = await f.client.getHotelOffers(f.ctx, { hotelIds: [HOTEL], checkIn: dateMessage(checkIn), checkOut: dateMessage(checkOut), liveBudgetMs: 0 });
  return res.offers.map((o) => [o.roomId, o.sellerId, PriceSource[o.source]]);
}

test("a room sold out for a stay: that seller's prices of that room for those nights turn STALE, no others", async () => {
  // Six nights from 03-08 of DBL-STD and TWN-STD from casa, DBL-STD from wanderly.
  const prices = [10_000, 10_000, 10_000, 10_000, 10_000, 10_000];
  await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: [...nightsOf(HOTEL, "DBL-STD", "2027-03-08", prices), ...nightsOf(HOTEL, "TWN-STD", "2027-03-08", prices)] });
  await f.client.ingestHotelRates(f.ctx, { sellerId: "wanderly", rates: nightsOf(HOTEL, "DBL-STD", "2027-03-08", prices.map((p) => p - 100)) });
  const fresh = [["DBL-STD", "casa", "FRESH"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  assert.equal(await sources("2027-03-10", "2027-03-12"), fresh, "the premise: every price fresh");

  await pact
    .interaction()
    .given("a room has one unit left for a stay", { sellerId: "casa", hotelId: HOTEL, roomId: "DBL-STD", checkIn: "2027-03-10", checkOut: "2027-03-12" })
    .expectsToReceive("a room sold out for a stay", (m) =>
      m
        .withJSONContent({
          sellerId: like("casa"),
          hotelId: regex(/^h-\S+$/, HOTEL),
          roomId: like("DBL-STD"),
          checkIn: dateTemplate("2027-03-10"),
          checkOut: dateTemplate("2027-03-12"),
        })
        .withMetadata(onAvailability("DBL-STD")),
    )
    .executeTest(async (m) => {
      const { message, meta } = delivered(RoomSoldOutSchema, m, AVAILABILITY_GROUP);
      await roomSoldOutHandler(f.store)(f.ctx, message, meta);
    });

  const stale = [["DBL-STD", "casa", "STALE"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  assert.equal(await sources("2027-03-10", "2027-03-12"), stale, "the stay itself");
  assert.equal(await sources("2027-03-11", "2027-03-13"), stale, "a stay that includes its last night");
  assert.equal(await sources("2027-03-08", "2027-03-10"), fresh, "the nights before");
  assert.equal(await sources("2027-03-12", "2027-03-14"), fresh, "from its day of departure on");
});

test("a room available again for a stay (a booking of its last unit cancelled): what its sell-out made STALE is FRESH again", async () => {
  const stale = [["DBL-STD", "casa", "STALE"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  assert.equal(await sources("2027-03-10", "2027-03-12"), stale, "the premise: the sell-out of the test before");

  await pact
    .interaction()
    .given("a booking of a room's last unit for a stay is cancelled", { sellerId: "casa", hotelId: HOTEL, roomId: "DBL-STD", checkIn: "2027-03-10", checkOut: "2027-03-12" })
    .expectsToReceive("a room available again for a stay", (m) =>
      m
        .withJSONContent({
          sellerId: like("casa"),
          hotelId: regex(/^h-\S+$/, HOTEL),
          roomId: like("DBL-STD"),
          checkIn: dateTemplate("2027-03-10"),
          checkOut: dateTemplate("2027-03-12"),
        })
        .withMetadata(onReturns("DBL-STD")),
    )
    .executeTest(async (m) => {
      const { message, meta } = delivered(RoomAvailableSchema, m, AVAILABILITY_GROUP);
      await roomAvailableHandler(f.store)(f.ctx, message, meta);
    });

  const fresh = [["DBL-STD", "casa", "FRESH"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  assert.equal(await sources("2027-03-10", "2027-03-12"), fresh, "the stay itself");
  assert.equal(await sources("2027-03-11", "2027-03-13"), fresh, "a stay that includes its last night");
});

test("the pact is the committed contracts/pacts/pricing-booking-events.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
