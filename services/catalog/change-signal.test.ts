// The catalog's change signals on real PostgreSQL: an upsert that changes
// hotels tells search's caches which; one that changes flights or airports
// tells them how many (services/search/cache-signals.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightsChangedSchema, HotelsChangedSchema, type FlightsChanged, type HotelsChanged } from "../../gen/itinera/catalog/v1/events_pb.js";
import { signalRecorder, type SignalRecorder } from "../../platform/change-signals.testing.js";
import { FLIGHTS_CHANNEL, HOTELS_CHANNEL } from "./change-signal.js";
import { flight, LIS, MAD, OPO } from "./flights.fixture.js";
import { catalogFixture, hotel, INVENTORY, type CatalogFixture } from "./fixture.js";

let c: CatalogFixture;
let recorder: SignalRecorder<HotelsChanged>;
let flightRecorder: SignalRecorder<FlightsChanged>;
test.before(async () => {
  c = await catalogFixture();
  recorder = await signalRecorder(c.database.knex, HOTELS_CHANNEL, HotelsChangedSchema);
  flightRecorder = await signalRecorder(c.database.knex, FLIGHTS_CHANNEL, FlightsChangedSchema);
});
test.after(async () => {
  await recorder.close();
  await flightRecorder.close();
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

test("a flights upsert signals how many flights and airports changed; the same again signals nothing", async () => {
  const schedule = [flight("SL100", LIS, MAD, "2026-12-01T06:15:00Z", "2026-12-01T08:40:00Z")];
  const upsert = (flights: typeof schedule, airports = [LIS, MAD]) => () => c.client.upsertFlights(c.ctx, { sellerId: "skylark", flights, airports });
  const heard = async (action: () => Promise<unknown>) => (await flightRecorder.heardDuring(action)).map((m) => [m.flights, m.airports]);
  assert.equal(await heard(upsert(schedule)), [[1, 2]]);
  assert.equal(await heard(upsert(schedule)), []);
  assert.equal(await heard(upsert(schedule, [LIS, MAD, OPO])), [[0, 1]], "a new airport alone");
  assert.equal(await heard(upsert([flight("SL100", LIS, MAD, "2026-12-01T07:15:00Z", "2026-12-01T09:40:00Z")])), [[1, 0]], "a new schedule");
});

test.run();
