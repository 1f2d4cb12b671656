// webapp → web, the server streams: StreamHotels, StreamFlights and WatchTrip
// are what Pact cannot describe (a Connect stream's body is enveloped JSON,
// application/connect+json, which Pact's core parses as one JSON document:
// contracts/README.md). So the web app's own client (web/src/api/client.ts,
// as webapp-browser.ts runs it) reads them here from the real BFF server
// (services/web/harness.fixture.ts, over the fakes of the services it
// composes), with the app's lib reading the messages as the pages do: each
// message replaces the results so far, a trip's words follow its state, and
// the stream ends by itself once the trip is final. The BFF's own tests
// (services/web/browse.test.ts, trips.test.ts) check the same streams on the wire.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { addPayment, addReservation } from "../../services/web/fakes.fixture.js";
import { startWebHarness, type WebHarness } from "../../services/web/harness.fixture.js";
import { parseIsoDate } from "../../web/src/lib/dates.js";
import { degradedNotices, hasPrice, hotelPrice } from "../../web/src/lib/results.js";
import { isFinal, tripStateLabel } from "../../web/src/lib/trips.js";
import { CSRF_COOKIE, SESSION_COOKIE } from "../pact.js";
import { appAt, CookieJar } from "./webapp-browser.js";

let h: WebHarness;
test.before(async () => {
  h = await startWebHarness({ watchPollMs: 5 });
});
test.after(async () => {
  await h?.close();
});

const stay = { checkIn: parseIsoDate("2030-06-10")!, checkOut: parseIsoDate("2030-06-13")! };

test("the results page: each StreamHotels message replaces the list, the listing first, then the prices", async () => {
  const { api } = appAt(h.url);
  const seen = [];
  for await (const m of api.streamHotels({ query: "Lisbon", ...stay })) seen.push(m.results!);
  assert.equal(
    seen.map((r) => r.hotels.map((x) => [x.hotelId, hasPrice(x.fromPrice)])),
    [[["h-aurora", false]], [["h-aurora", true]]],
  );
  assert.ok(degradedNotices(seen[0]!.degraded).some((n) => n.startsWith("Some prices could not be checked")));
  assert.is(hotelPrice(seen[1]!.hotels[0]!), 40_000n, "listed 500.00 less the wallet's 100.00");
});

test("the flights page: StreamFlights' outbound and return legs, priced", async () => {
  const { api } = appAt(h.url);
  const seen = [];
  for await (const m of api.streamFlights({ origin: "LIS", destination: "MAD", departureDate: stay.checkIn, returnDate: stay.checkOut })) seen.push(m.results!);
  const last = seen.at(-1)!;
  assert.equal([last.outbound.map((f) => f.flightId), last.inbound.map((f) => f.flightId)], [["SL100-2030-06-10"], ["SL101-2030-06-13"]]);
  assert.ok(last.outbound.every((f) => hasPrice(f.price)));
});

test("the trip page: WatchTrip follows the payment to a confirmed booking and ends", async () => {
  const customer = await h.customer("cus_grace");
  const jar = new CookieJar().set(SESSION_COOKIE, customer.token!, { httpOnly: true }).set(CSRF_COOKIE, "csrf-of-this-browser", { httpOnly: false });
  const paymentId = `pay_${"e".repeat(32)}`;
  addPayment(h.world, paymentId, "cus_grace", PaymentState.PENDING);
  h.world.beforeLook.push(
    () => {},
    () => {
      addPayment(h.world, paymentId, "cus_grace", PaymentState.AUTHORISED);
      addReservation(h.world, paymentId, ReservationState.PAID);
    },
    () => addReservation(h.world, paymentId, ReservationState.CONFIRMED, { sellerReference: "CASA-7" }),
  );
  const states = [];
  for await (const m of appAt(h.url, jar).api.watchTrip({ paymentId })) states.push(m.trip!.state);
  assert.equal(states.map(tripStateLabel), ["Waiting for payment", "Paid, confirming", "Confirmed"]);
  assert.ok(isFinal(states.at(-1)!), "the stream ended by itself at a final state");
});

test.run();
