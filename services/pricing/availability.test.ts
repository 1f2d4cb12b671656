// RoomSoldOut on real PostgreSQL through the real bus: the room's prices
// for the nights of that stay, from that seller, turn STALE (other nights,
// rooms and sellers stay FRESH) and a live quote or the seller's next rates
// refresh them; a redelivered message changes nothing, a new one marks
// again, a malformed one is dropped; without a seller id every seller's
// prices of the room go stale. RoomAvailable (a cancelled or failed booking
// gave the nights back) makes them FRESH again — once per message, in
// either order with its RoomSoldOut, and only when every RoomSoldOut of a
// night has its RoomAvailable.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { RoomAvailableSchema, RoomSoldOutSchema, type RoomAvailable, type RoomSoldOut } from "../../gen/itinera/booking/v1/events_pb.js";
import { PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";
import { openBusTestDatabase, type BusTestDatabase } from "../../transport/bus/database.fixture.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { until } from "../../platform/processes.testing.js";
import { AVAILABILITY_GROUP, roomAvailableHandler, roomSoldOutHandler, subscribeAvailability } from "./availability.js";
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
  await subscribeAvailability(bus, f.store);
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

const available = (hotelId: string, sellerId: string, from: number, to: number): RoomAvailable =>
  create(RoomAvailableSchema, { sellerId, hotelId, roomId: "DBL-STD", checkIn: dateMessage(addDays(first, from)), checkOut: dateMessage(addDays(first, to)) });

const FRESH = [["DBL-STD", "casa", "FRESH"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];
const CASA_STALE = [["DBL-STD", "casa", "STALE"], ["DBL-STD", "wanderly", "FRESH"], ["TWN-STD", "casa", "FRESH"]];

test("through the bus: RoomAvailable makes what RoomSoldOut made STALE firm again", async () => {
  await ingest("h-back");
  const before = await handled();
  const outbox = postgresOutbox(busDb.db.knex);
  await bus.publish(outbox, topicOf(RoomSoldOutSchema), "DBL-STD", soldOut("h-back", "casa", 2, 4));
  await until("RoomSoldOut to be handled", async () => ((await handled()) > before ? true : undefined));
  assert.equal(await sources("h-back", 1, 2), CASA_STALE);
  await bus.publish(outbox, topicOf(RoomAvailableSchema), "DBL-STD", available("h-back", "casa", 2, 4));
  await until("RoomAvailable to be handled", async () => ((await handled()) > before + 1 ? true : undefined));
  assert.equal(await sources("h-back", 1, 2), FRESH, "a stay including a night given back");
  assert.equal(await sources("h-back", 2, 2), FRESH, "the stay itself");
});

test("RoomAvailable: once per message, only the nights given back, only once every RoomSoldOut of a night has its pair", async () => {
  await ingest("h-pair");
  const sold = roomSoldOutHandler(f.store);
  const back = roomAvailableHandler(f.store);
  await sold(f.ctx, soldOut("h-pair", "casa", 2, 4), meta());
  await sold(f.ctx, soldOut("h-pair", "casa", 3, 4), meta()); // the 3rd sold out again after a return not yet heard of

  const m = meta();
  await back(f.ctx, available("h-pair", "casa", 2, 4), m);
  assert.equal(await sources("h-pair", 2, 1), FRESH, "the 2nd is back");
  assert.equal(await sources("h-pair", 3, 1), CASA_STALE, "the 3rd still has a RoomSoldOut without its pair");
  assert.equal(await sources("h-pair", 2, 2), CASA_STALE, "a total is firm only when all its nights are");

  await sold(f.ctx, soldOut("h-pair", "casa", 2, 3), meta());
  await back(f.ctx, available("h-pair", "casa", 2, 4), m);
  assert.equal(await sources("h-pair", 2, 1), CASA_STALE, "the redelivery was recognised: nothing made firm");

  await back(f.ctx, available("h-pair", "casa", 2, 4), meta());
  assert.equal(await sources("h-pair", 2, 2), FRESH, "every RoomSoldOut has its RoomAvailable");
  assert.equal(await sources("h-pair", 4, 1), FRESH);
});

test("RoomAvailable overtaking its RoomSoldOut (separate topics): the pair leaves the prices firm", async () => {
  await ingest("h-order");
  await roomAvailableHandler(f.store)(f.ctx, available("h-order", "wanderly", 1, 2), meta());
  await roomSoldOutHandler(f.store)(f.ctx, soldOut("h-order", "wanderly", 1, 3), meta());
  assert.equal(await sources("h-order", 1, 1), FRESH, "the night whose return came first stays firm");
  assert.equal((await sources("h-order", 2, 1))[1], ["DBL-STD", "wanderly", "STALE"], "the other night of the sell-out is stale");
});

test("a malformed RoomAvailable is dropped: nothing recorded, nothing made firm", async () => {
  await ingest("h-bad");
  await roomSoldOutHandler(f.store)(f.ctx, soldOut("h-bad", "casa", 0, 1), meta());
  const before = await handled();
  const back = roomAvailableHandler(f.store);
  await back(f.ctx, available("h-bad", "", 0, 1), meta());
  await back(f.ctx, available("h-bad", "casa", 1, 0), meta());
  await back(f.ctx, available("h-bad", "casa", 0, 400), meta());
  await back(f.ctx, create(RoomAvailableSchema, { hotelId: "h-bad", roomId: "DBL-STD", sellerId: "casa" }), meta());
  assert.is(await handled(), before);
  assert.equal(await sources("h-bad", 0, 1), CASA_STALE);
});

test.run();
