// The catalog's change signal on real PostgreSQL: an upsert that changes
// hotels tells search's caches which (services/search/cache-signals.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotelsChangedSchema, type HotelsChanged } from "../../gen/itinera/catalog/v1/events_pb.js";
import { signalRecorder, type SignalRecorder } from "../../platform/change-signals.testing.js";
import { HOTELS_CHANNEL } from "./change-signal.js";
import { catalogFixture, hotel, INVENTORY, type CatalogFixture } from "./fixture.js";

let c: CatalogFixture;
let recorder: SignalRecorder<HotelsChanged>;
test.before(async () => {
  c = await catalogFixture();
  recorder = await signalRecorder(c.database.knex, HOTELS_CHANNEL, HotelsChangedSchema);
});
test.after(async () => {
  await recorder.close();
  await c.close();
});

const heardDuring = async (action: () => Promise<unknown>) => (await recorder.heardDuring(action)).map((m) => [...m.hotelIds].sort());

test("an upsert signals the hotels it created or changed; the same upsert again signals nothing", async () => {
  const upsert = (hotels: typeof INVENTORY) => () => c.client.upsertHotels(c.ctx, { sellerId: "casa", hotels });
  assert.equal(await heardDuring(upsert(INVENTORY)), [INVENTORY.map((h) => h.hotelId!).sort()]);
  assert.equal(await heardDuring(upsert(INVENTORY)), []);
  const renamed = INVENTORY.map((h) => (h.hotelId === "h-P001" ? hotel("h-P001", "Tagus Grand Palace", "lisbon-pt") : h));
  assert.equal(await heardDuring(upsert(renamed)), [["h-P001"]]);
});

test.run();
