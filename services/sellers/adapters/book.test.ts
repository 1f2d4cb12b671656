// The adapters' bookings against fake sellers on real HTTP servers, in the
// sandbox booking APIs' shapes: catalog ids go out as the seller's own ids;
// a confirmation comes back as the seller's reference, the same one for a
// repeated ref; a refusal as its reason; a 5xx, a seller that is down or
// too slow as a thrown kit error (so the booking is retried); an item the
// seller does not sell is refused without a call.
import { create } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../../endpoints/errors.js";
import { kitRejection, silentContext } from "../../../endpoints/testing.js";
import { ItemSchema, type Item } from "../../../gen/itinera/type/v1/item_pb.js";
import type { SellerAdapter } from "../adapter.js";
import { FxTable, SANDBOX_FX_RATES } from "../fx.js";
import { bookingLedger, casaBookings, skylarkBookings, wanderlyBookings, type BookingLedger } from "../test/booking-sellers.js";
import { startFakeSeller, type FakeRoute, type FakeSeller } from "../test/fake-seller.js";
import { casaAdapter } from "./casa.js";
import type { AdapterOptions } from "./options.js";
import { skylarkAdapter } from "./skylark.js";
import { wanderlyAdapter } from "./wanderly.js";

const stay = (sellerId: string): Item =>
  create(ItemSchema, {
    sellerId,
    title: "Hotel P000123, Lisbon — Standard Double Room, 3 nights",
    kind: {
      case: "hotelStay",
      value: { hotelId: "h-P000123", roomId: "DBL-STD", checkIn: { year: 2026, month: 12, day: 1 }, checkOut: { year: 2026, month: 12, day: 4 }, starRating: 4 },
    },
  });
const trip = (returnFlightId = ""): Item =>
  create(ItemSchema, {
    sellerId: "skylark",
    title: "LIS → JFK",
    kind: { case: "flightTrip", value: { outboundFlightId: "SL101-2026-12-01", returnFlightId } },
  });

type Factory = (opts: AdapterOptions) => SellerAdapter;

async function withSeller(
  factory: Factory,
  routes: (ledger: BookingLedger) => Record<string, FakeRoute>,
  work: (adapter: SellerAdapter, fake: FakeSeller, ledger: BookingLedger) => Promise<void>,
  bookTimeoutMs = 5000,
) {
  const ledger = bookingLedger();
  const fake = await startFakeSeller(routes(ledger));
  const adapter = factory({
    sellerId: "seller",
    baseUrl: fake.url,
    fx: new FxTable(SANDBOX_FX_RATES),
    throttle: { ratePerSecond: 100, burst: 10 },
    breaker: { volumeThreshold: 100 },
    bookTimeoutMs,
  });
  try {
    await work(adapter, fake, ledger);
  } finally {
    adapter.close();
    await fake.close();
  }
}

const bodyOf = (fake: FakeSeller, i = 0) => fake.requests[i]!.body.toString();

test("skylark: the flights go out by number and local date; TICKETED → confirmed with the locator, the same on a repeat", () =>
  withSeller(skylarkAdapter, skylarkBookings, async (adapter, fake, ledger) => {
    const first = await adapter.book!(silentContext(), "res_1", trip("SL102-2026-12-08"));
    assert.equal(first, { status: "confirmed", reference: "SK0001" });
    assert.equal(JSON.parse(bodyOf(fake)), { booking_ref: "res_1", flights: ["SL101-2026-12-01", "SL102-2026-12-08"] });
    assert.is(fake.requests[0]!.headers["content-type"], "application/json");
    assert.equal(await adapter.book!(silentContext(), "res_1", trip("SL102-2026-12-08")), first, "a repeat answers the first booking");
    assert.equal([ledger.requests, ledger.bookings.size], [2, 1]);
  }));

test("skylark: 409 → refused with the seller's reason; a hotel is refused without a call", () =>
  withSeller(skylarkAdapter, skylarkBookings, async (adapter, fake, ledger) => {
    ledger.refuse = () => "No seats left on SL101";
    assert.equal(await adapter.book!(silentContext(), "res_2", trip()), { status: "refused", reason: "No seats left on SL101" });
    assert.equal(await adapter.book!(silentContext(), "res_3", stay("skylark")), { status: "refused", reason: "SkyLark Air books flights only" });
    assert.is(fake.requests.length, 1);
  }));

test("casa: hotel and room codes and dates go out as XML attributes; CONFIRMED → its code; REFUSED → its reason", () =>
  withSeller(casaAdapter, casaBookings, async (adapter, fake, ledger) => {
    assert.equal(await adapter.book!(silentContext(), "res_1", stay("casa")), { status: "confirmed", reference: "CASA-000001" });
    assert.is(bodyOf(fake), `<BookingRequest ref="res_1" hotel="P000123" room="DBL-STD" checkIn="2026-12-01" checkOut="2026-12-04"/>`);
    assert.is(fake.requests[0]!.headers["content-type"], "application/xml");
    assert.equal(await adapter.book!(silentContext(), "res_1", stay("casa")), { status: "confirmed", reference: "CASA-000001" });
    ledger.refuse = (ref) => (ref === "res_2" ? "No rooms left for these dates" : undefined);
    assert.equal(await adapter.book!(silentContext(), "res_2", stay("casa")), { status: "refused", reason: "No rooms left for these dates" });
    assert.equal(ledger.bookings.size, 2);
  }));

test("casa: an <error> with a 4xx is refused; a 2xx that is not a BookingResponse throws", async () => {
  let answer = { status: 400, body: `<error status="400">checkOut must be after checkIn</error>` };
  await withSeller(casaAdapter, () => ({ "/xml/bookings": () => answer }), async (adapter) => {
    assert.equal(await adapter.book!(silentContext(), "res_1", stay("casa")), { status: "refused", reason: "checkOut must be after checkIn" });
    answer = { status: 200, body: `<something/>` };
    assert.is((await kitRejection(adapter.book!(silentContext(), "res_1", stay("casa")))).code, Code.Internal);
  });
});

test("wanderly: the room's product and the stay go out as JSON; CONFIRMED → its confirmation; 409 → refused; a flight is refused", () =>
  withSeller(wanderlyAdapter, wanderlyBookings, async (adapter, fake, ledger) => {
    assert.equal(await adapter.book!(silentContext(), "res_1", stay("wanderly")), { status: "confirmed", reference: "WL1" });
    assert.equal(JSON.parse(bodyOf(fake)), { request_id: "res_1", product: "P000123:DBL-STD", check_in: "2026-12-01", check_out: "2026-12-04" });
    ledger.refuse = () => "Sold out";
    assert.equal(await adapter.book!(silentContext(), "res_2", stay("wanderly")), { status: "refused", reason: "Sold out" });
    assert.equal(await adapter.book!(silentContext(), "res_3", trip()), { status: "refused", reason: "Wanderly books hotel rooms only" });
    assert.is(fake.requests.length, 2);
  }));

for (const [name, factory, routes, item] of [
  ["skylark", skylarkAdapter, skylarkBookings, trip()],
  ["casa", casaAdapter, casaBookings, stay("casa")],
  ["wanderly", wanderlyAdapter, wanderlyBookings, stay("wanderly")],
] as const) {
  test(`${name}: a 5xx, a seller that is down and one slower than the booking timeout throw, to be retried`, () =>
    withSeller(factory, routes, async (adapter, fake, ledger) => {
      fake.mode = { kind: "fail" };
      assert.is((await kitRejection(adapter.book!(silentContext(), "res_1", item))).code, Code.Unavailable);
      fake.mode = { kind: "down" };
      assert.is((await kitRejection(adapter.book!(silentContext(), "res_1", item))).code, Code.Unavailable);
      fake.mode = { kind: "slow", delayMs: 3_000 };
      assert.is((await kitRejection(adapter.book!(silentContext(), "res_1", item))).code, Code.DeadlineExceeded);
      fake.mode = { kind: "normal" };
      assert.is((await adapter.book!(silentContext(), "res_1", item)).status, "confirmed");
      assert.is(ledger.bookings.size, 1);
    }, 1500));

  test(`${name}: cancels by our ref (again on a repeat); a ref it never booked or refused is not booked, with its words; a 5xx throws`, () =>
    withSeller(factory, routes, async (adapter, fake, ledger) => {
      await adapter.book!(silentContext(), "res_1", item);
      assert.equal(await adapter.cancel!(silentContext(), "res_1"), { status: "cancelled" });
      assert.equal(await adapter.cancel!(silentContext(), "res_1"), { status: "cancelled" });
      assert.ok(ledger.cancelled.has("res_1"));
      assert.equal(await adapter.cancel!(silentContext(), "res_9"), { status: "not_booked", reason: "no booking with reference res_9: nothing to cancel" });
      ledger.refuse = () => "full";
      await adapter.book!(silentContext(), "res_2", item);
      assert.equal(await adapter.cancel!(silentContext(), "res_2"), { status: "not_booked", reason: "booking res_2 was refused: nothing to cancel" });
      fake.mode = { kind: "fail" };
      assert.is((await kitRejection(adapter.cancel!(silentContext(), "res_1"))).code, Code.Unavailable);
    }));
}

test.run();
