// Pricing's change signal on real PostgreSQL: what an ingestion and a
// sold-out room tell search's caches (services/search/cache-signals.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotelPricesChangedSchema, type HotelPricesChanged } from "../../gen/itinera/pricing/v1/events_pb.js";
import { signalRecorder, type SignalRecorder } from "../../platform/change-signals.testing.js";
import { HOTEL_PRICES_CHANNEL } from "./change-signal.js";
import { addDays, isoDate } from "./dates.js";
import { nightsOf, pricingFixture, type PricingFixture } from "./fixture.js";

let f: PricingFixture;
let recorder: SignalRecorder<HotelPricesChanged>;

test.before(async () => {
  f = await pricingFixture();
  recorder = await signalRecorder(f.database.knex, HOTEL_PRICES_CHANNEL, HotelPricesChangedSchema);
});
test.after(async () => {
  await recorder.close();
  await f.close();
});

/** What `action` signalled, a line per message: "hotels first…last". */
const heardDuring = async (action: () => Promise<unknown>) =>
  (await recorder.heardDuring(action)).map((m) => `${[...m.hotelIds].sort().join(",")} ${isoDate(m.firstNight!)}…${isoDate(m.lastNight!)}`);

test("an ingestion signals its hotels over every night a total it computed may cover; the same rates again signal nothing", async () => {
  const first = f.today();
  const rates = [...nightsOf("h-a", "DBL", first, [10_000, 11_000, 12_000]), ...nightsOf("h-b", "DBL", addDays(first, 30), [9_000])];
  const ingest = () => f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates });
  const window = `${first}…${addDays(first, 89 + 7 - 1)}`;
  assert.equal(await heardDuring(ingest), [`h-a,h-b ${window}`]);
  assert.equal(await heardDuring(ingest), [], "nothing changed");
  rates[0] = { ...rates[0]!, price: { amountMinor: 10_500n, currency: "EUR" } };
  assert.equal(await heardDuring(ingest), [`h-a,h-b ${window}`], "one night's price changed");
});

test("a room marked stale signals its hotel over the stay's nights; a whole room, every night", async () => {
  const first = f.today();
  await f.client.ingestHotelRates(f.ctx, { sellerId: "casa", rates: nightsOf("h-c", "DBL", first, [10_000, 10_000, 10_000]) });
  const stay = { checkIn: addDays(first, 1), checkOut: addDays(first, 3) };
  const soldOut = () => f.store.roomSoldOut({ group: "test", messageId: 1n }, { hotelId: "h-c", roomId: "DBL", sellerId: "casa", stay });
  assert.equal(await heardDuring(soldOut), [`h-c ${stay.checkIn}…${addDays(first, 2)}`]);
  assert.equal(await heardDuring(() => f.store.invalidateRoom("h-c", "DBL")), ["h-c 0001-01-01…9999-12-31"]);
});

test.run();
