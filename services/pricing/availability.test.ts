// RoomSoldOut on real PostgreSQL through the real bus: the room's prices
// for the nights of that stay, from that seller, turn STALE (other nights,
// rooms and sellers stay FRESH) and a live quote or the seller's next rates
// refresh them; a redelivered message changes nothing, a new one marks
// again, a malformed one is dropped; without a seller id every seller's
// prices of the room go stale.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RoomSoldOutSchema, type RoomSoldOut } from "../../gen/itinera/booking/v1/events_pb.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";
import { openBusTestDatabase, type BusTestDatabase } from "../../transport/bus/database.fixture.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { until } from "../../platform/processes.testing.js";
import { AVAILABILITY_GROUP, roomSoldOutHandler, subscribeRoomSoldOut } from "./availability.js";
import { addDays, dateMessage, type IsoDate } from "./dates.js";
import { nightsOf, pricingFixture, type PricingFixture } from "./fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";

let f: PricingFixture;
let busDb: BusTestDatabase;
let bus: PostgresBus;
let first: IsoDate;

test.before(async () => {
  f = await pricingFixture();
  busDb = await openBusTestDatabase();
  bus = new PostgresBus({ knex: busDb.db.knex, log: f.ctx.log, pollMs: 200 });
  await subscribeRoomSoldOut(bus, f.store);
  first = addDays(f.today(), 20);
});
test.after(async () => {
  await bus.close();
  await busDb.close();
  await f.close();
});

/** Six nights from `first` of DBL-STD and TWN-STD at `hotel` from casa, and DBL-STD from wanderly. */
async function ingest(hotel: string, seller?: string) {
  const prices = [10_000, 10_000, 10_000, 10_000, 10_000, 10_000];
  if (!seller || seller === "casa") {
    await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: [...nightsOf(hotel, "DBL-STD", first, prices), ...nightsOf(hotel, "TWN-STD", first, prices)] });
  }
  if (!seller || seller === "wanderly") {
    await f.client.ingestHotelRates(f.ctx, { sellerId: "wanderly", rates: nightsOf(hotel, "DBL-STD", first, prices.map((p) => p - 100)) });
  }
}

/** [room, seller, source] of the hotel's offers for `nights` nights from `first + from`. */
async function sources(hotel: string, from: number, nights: number, liveBudgetMs = 0) {
  const res = await f.client.getHotelOffers(f.ctx, {
    hotelIds: [hotel],
    checkIn: dateMessage(addDays(first, from)),
    checkOut: dateMessage(addDays(first, from + nights)),
    liveBudgetMs,
  });
  return res.offers.map((o) => [o.roomId, o.sellerId, PriceSource[o.source]]);
}

const soldOut = (hotelId: string, sellerId: string, from: number, to: number): RoomSoldOut =>
  create(RoomSoldOutSchema, { sellerId, hotelId, roomId: "DBL-STD", checkIn: dateMessage(addDays(first, from)), checkOut: dateMessage(addDays(first, to)) });

let nextId = 1_000_000n;
const meta = (messageId = nextId++): DeliveryMeta => ({ messageId, topic: topicOf(RoomSoldOutSchema).name, key: "DBL-STD", group: AVAILABILITY_GROUP, attempt: 1, publishedAt: new Date() });

const handled = async () => Number((await f.database.knex.raw(`select count(*)::int as n from inbox where group_name = ?`, [AVAILABILITY_GROUP])).rows[0].n);

test("through the bus: that seller's prices of that room for the stay's nights turn STALE; a live quote, then new rates, refresh them", async () => {
  await ingest("h-sold");
  const before = await handled();
  await bus.publish(postgresOutbox(busDb.db.knex), topicOf(RoomSoldOutSchema), "DBL-STD", soldOut("h-sold", "casa", 2, 4));
  await until("the message to be handled", async () => ((await handled()) > before ? true : undefined));

  const stale = [["DBL-STD", "casa", "STALE"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  const fresh = [["DBL-STD", "casa", "FRESH"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
  assert.equal(await sources("h-sold", 2, 2), stale, "the stay itself");
  assert.equal(await sources("h-sold", 1, 2), stale, "a stay that includes its first night");
  assert.equal(await sources("h-sold", 3, 3), stale, "a stay that includes its last night");
  assert.equal(await sources("h-sold", 0, 2), fresh, "the nights before");
  assert.equal(await sources("h-sold", 4, 2), fresh, "from its day of departure on");

  f.sellers.quoteHotelStay = async (_ctx, req) => ({
    offers: [{ hotelId: req.hotelId, roomId: "DBL-STD", sellerId: "casa", total: { amountMinor: 25_000n, currency: "EUR" }, available: 1, source: PriceSource.LIVE }],
    unavailableSellers: [],
  });
  assert.equal((await sources("h-sold", 2, 2, 2_000))[0], ["DBL-STD", "casa", "LIVE"], "asked live from the seller");
  await ingest("h-sold", "casa");
  assert.equal(await sources("h-sold", 2, 2), fresh, "the seller's next rates make them firm again");
});

test("once per message: a redelivery changes nothing, a new message marks again", async () => {
  await ingest("h-once");
  const handler = roomSoldOutHandler(f.store);
  const m = meta();
  await handler(f.ctx, soldOut("h-once", "wanderly", 0, 1), m);
  assert.equal(await sources("h-once", 0, 1), [["DBL-STD", "casa", "FRESH"], ["DBL-STD", "wanderly", "STALE"], ["TWN-STD", "casa", "FRESH"]]);
  await ingest("h-once", "wanderly");
  await handler(f.ctx, soldOut("h-once", "wanderly", 0, 1), m);
  assert.equal((await sources("h-once", 0, 1))[1], ["DBL-STD", "wanderly", "FRESH"], "the redelivery was recognised");
  await handler(f.ctx, soldOut("h-once", "wanderly", 0, 1), meta());
  assert.equal((await sources("h-once", 0, 1))[1], ["DBL-STD", "wanderly", "STALE"]);
});

test("no seller id: every seller's prices of the room for the stay; a malformed message is dropped, nothing marked", async () => {
  await ingest("h-all");
  const handler = roomSoldOutHandler(f.store);
  const before = await handled();
  await handler(f.ctx, soldOut("h-all", "casa", 3, 3), meta());
  await handler(f.ctx, create(RoomSoldOutSchema, { hotelId: "h-all", roomId: "DBL-STD" }), meta());
  assert.is(await handled(), before, "neither was recorded");
  assert.equal((await sources("h-all", 3, 1)).map((o) => o[2]), ["FRESH", "FRESH", "FRESH"]);

  await handler(f.ctx, soldOut("h-all", "", 3, 4), meta());
  assert.equal(await sources("h-all", 3, 1), [["DBL-STD", "casa", "STALE"], ["DBL-STD", "wanderly", "STALE"], ["TWN-STD", "casa", "FRESH"]]);
});

test.run();
