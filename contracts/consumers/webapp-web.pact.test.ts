// webapp → web: what the traveller's web app (web/src) needs from the BFF
// (itinera.web.v1.WebService), written by running the app's own client —
// web/src/api/client.ts with its CSRF interceptor, as main.tsx builds it —
// against Pact's mock server (webapp-browser.ts plays the browser's cookie
// jar), with the requests the pages make and the app's lib reading the
// answers (web/src/lib: the booking built from a room, a trip's words, …).
//
// Cookies: the browser sends them, the contract needs them. GetSession of a
// visitor needs none and answers the CSRF token; SignUp, VerifyEmail (the
// e-mailed link) and SignIn need the CSRF pair (withCsrf); a signed-in customer's reads need the session cookie
// (withSession), their changes the session cookie and the CSRF pair
// (withSessionAndCsrf), both made by the BFF's state "a customer is signed in".
//
// Not here: StreamHotels, StreamFlights and WatchTrip are server streams,
// whose Connect body (enveloped JSON, application/connect+json) Pact's core
// parses as JSON and cannot match (contracts/README.md); GetTrip, which no
// page calls; Set-Cookie, which Pact checks line by line against one matcher.
import { fromJson } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { GetHotelResponseSchema, WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { describeError } from "../../web/src/api/errors.js";
import { parseIsoDate } from "../../web/src/lib/dates.js";
import { hotelStayBooking, newIdempotencyKey } from "../../web/src/lib/items.js";
import { formatMoney } from "../../web/src/lib/money.js";
import { testQuote } from "../../platform/quotes.testing.js";
import { canCancel, tripMessage, tripStateLabel } from "../../web/src/lib/trips.js";
import {
  connectError,
  connectRequest,
  connectResponse,
  consumerPact,
  CSRF_COOKIE,
  CSRF_EXAMPLE,
  Matchers,
  SESSION_COOKIE,
  SESSION_EXAMPLE,
  withCsrf,
  withSession,
  withSessionAndCsrf,
  type ConsumerPact,
} from "../pact.js";
import { appAt, CookieJar } from "./webapp-browser.js";
import {
  AIRPORTS,
  CANCELLATION_QUOTE,
  CANCELLED_TRIP,
  CONFIRMED_TRIP,
  HOTEL_PAGE,
  QUOTE,
  RESERVATION_ID,
  ROOM_ITEM,
  signedInAs,
  SUGGESTIONS,
  WALLET_PAGE,
} from "./webapp-shapes.js";

const { fromProviderState, like, regex } = Matchers;
let pact: ConsumerPact;

const ANA = { customerId: "cus_ana", displayName: "Ana Lima" };
const SIGNED_IN = ["a customer is signed in", ANA] as const;
const STAY = { checkIn: parseIsoDate("2027-03-10")!, checkOut: parseIsoDate("2027-03-13")! };
const ROOM_PRICED = { hotelId: "h-aurora", roomId: "DBL", listedMinor: "50000", markdownMinor: "10000" };
const TRIP = { customerId: ANA.customerId, paymentId: "pay_000000000000000000000000000000a1" };

/** A browser that has been to the site: GetSession's CSRF cookie. */
const visitorJar = () => new CookieJar().set(CSRF_COOKIE, CSRF_EXAMPLE, { httpOnly: false });
/** A browser signed in: the session cookie too. */
const signedInJar = () =>
  new CookieJar().set(SESSION_COOKIE, SESSION_EXAMPLE, { httpOnly: true }).set(CSRF_COOKIE, CSRF_EXAMPLE, { httpOnly: false });

const failureOf = (p: Promise<unknown>) => p.then(() => undefined, (e: unknown) => e);
/** The reservation the state made, by its id (the BFF's fakes choose it). */
const reservationFromState = () => ({ reservationId: fromProviderState("${reservationId}", RESERVATION_ID) });

test.before(async () => {
  pact = await consumerPact("webapp", "web");
});
test.after(async () => {
  await pact?.close();
});

test("a visitor opens the app: nobody signed in, and the CSRF token later calls send", async () => {
  const seen = await pact
    .interaction()
    .uponReceiving("a visitor's first GetSession")
    .withRequest(...connectRequest(WebService.method.getSession, {}))
    .willRespondWith(...connectResponse({ csrfToken: regex(/^\S+$/, CSRF_EXAMPLE) }))
    .executeTest(async (mock) => {
      const app = appAt(mock.url);
      const res = await app.api.getSession({});
      return { customer: res.customer, kept: app.csrf.get() };
    });
  assert.is(seen?.customer, undefined);
  assert.is(seen?.kept, CSRF_EXAMPLE, "the interceptor keeps the answered token");
});

test("a signed-in customer opens the app: who they are, by name", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .uponReceiving("a signed-in customer's GetSession")
    .withRequest(...withSession(connectRequest(WebService.method.getSession, {})))
    .willRespondWith(...connectResponse(signedInAs(ANA.customerId, ANA.displayName, CSRF_EXAMPLE)))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.getSession({}));
  assert.equal([res?.customer?.customerId, res?.customer?.displayName], [ANA.customerId, ANA.displayName]);
});

test("sign-up: the page only learns to check the e-mail (the same for every address)", async () => {
  const form = { email: "nia.okafor@example.com", password: "a long enough password", displayName: "Nia Okafor" };
  const res = await pact
    .interaction()
    .given("no account has the e-mail", { email: form.email })
    .uponReceiving("a sign-up")
    .withRequest(...withCsrf(connectRequest(WebService.method.signUp, form)))
    .willRespondWith(...connectResponse({ csrfToken: regex(/^\S+$/, CSRF_EXAMPLE) }))
    .executeTest((mock) => appAt(mock.url, visitorJar()).api.signUp(form));
  assert.is(res?.customer, undefined);
});

test("the e-mail's link: the new customer is signed in", async () => {
  const link = "link-from-the-sign-up-e-mail";
  const res = await pact
    .interaction()
    .given("a sign-up link was e-mailed", { email: "nia.okafor@example.com", displayName: "Nia Okafor" })
    .uponReceiving("a sign-up link followed")
    .withRequest(...withCsrf(connectRequest(WebService.method.verifyEmail, { token: link }, () => ({ token: fromProviderState("${token}", link) }))))
    .willRespondWith(...connectResponse(signedInAs("cus_nia", "Nia Okafor", "csrf-token-after-sign-up")))
    .executeTest((mock) => appAt(mock.url, visitorJar()).api.verifyEmail({ token: link }));
  assert.is(res?.customer?.displayName, "Nia Okafor");
});

const ACCOUNT = { email: "ana.lima@example.com", password: "ana's long password", displayName: ANA.displayName };

test("sign-in: the customer is signed in", async () => {
  const res = await pact
    .interaction()
    .given("a customer has an account", ACCOUNT)
    .uponReceiving("a sign-in")
    .withRequest(...withCsrf(connectRequest(WebService.method.signIn, { email: ACCOUNT.email, password: ACCOUNT.password })))
    .willRespondWith(...connectResponse(signedInAs(ANA.customerId, ANA.displayName, "csrf-token-after-sign-in")))
    .executeTest((mock) => appAt(mock.url, visitorJar()).api.signIn({ email: ACCOUNT.email, password: ACCOUNT.password }));
  assert.is(res?.customer?.displayName, ANA.displayName);
});

test("sign-in with a wrong password: UNAUTHENTICATED, and the page shows the BFF's sentence", async () => {
  const err = await pact
    .interaction()
    .given("a customer has an account", ACCOUNT)
    .uponReceiving("a sign-in with a wrong password")
    .withRequest(...withCsrf(connectRequest(WebService.method.signIn, { email: ACCOUNT.email, password: "not the password" })))
    .willRespondWith(...connectError(Code.Unauthenticated, { message: like("the e-mail address or the password is wrong") }))
    .executeTest((mock) => failureOf(appAt(mock.url, visitorJar()).api.signIn({ email: ACCOUNT.email, password: "not the password" })));
  const problem = describeError(err, "the sign-in service");
  assert.is(problem.code as number, Code.Unauthenticated as number);
  assert.is(problem.message, "The e-mail address or the password is wrong.");
});

test("the destination box: suggestions for what was typed", async () => {
  const res = await pact
    .interaction()
    .given("hotels exist in a city", { cityName: "Lisbon", countryName: "Portugal" })
    .uponReceiving("suggestions for a destination being typed")
    .withRequest(...connectRequest(WebService.method.suggestDestinations, { text: "Lis" }))
    .willRespondWith(...connectResponse(SUGGESTIONS))
    .executeTest((mock) => appAt(mock.url).api.suggestDestinations({ text: "Lis" }));
  assert.equal(res?.destinations.map((d) => [d.label, d.kind, d.detail]), [["Lisbon", "city", "Portugal"]]);
});

test("the flight form: the airports to choose from", async () => {
  const res = await pact
    .interaction()
    .given("airports exist", { codes: ["LIS", "MAD"] })
    .uponReceiving("the airport list")
    .withRequest(...connectRequest(WebService.method.listAirports, {}))
    .willRespondWith(...connectResponse(AIRPORTS))
    .executeTest((mock) => appAt(mock.url).api.listAirports({}));
  assert.equal(res?.airports.map((a) => [a.code, a.cityName, a.countryCode]), [["LIS", "Lisbon", "PT"]]);
});

test("the hotel page: rooms priced for the stay with the customer's wallet taken off", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("a hotel's room is priced", ROOM_PRICED)
    .given("the customer has money in the wallet", { customerId: ANA.customerId, availableMinor: "10000" })
    .uponReceiving("a hotel page for a signed-in customer")
    .withRequest(...withSession(connectRequest(WebService.method.getHotel, { hotelId: "h-aurora", ...STAY })))
    .willRespondWith(...connectResponse(HOTEL_PAGE))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.getHotel({ hotelId: "h-aurora", ...STAY }));
  const room = res?.hotel?.rooms[0];
  assert.equal([formatMoney(room?.price?.listed), formatMoney(room?.price?.markdown), formatMoney(room?.price?.price)], ["€500.00", "€100.00", "€400.00"]);
  assert.is(formatMoney(res?.walletAvailable), "€100.00");
});

/** What Book sends from the hotel page: the room's quote from GetHotel's answer (lib/items.ts), with the flexible option chosen. */
function roomBooking() {
  const { hotel } = fromJson(GetHotelResponseSchema, Matchers.reify(HOTEL_PAGE));
  const booking = hotelStayBooking(hotel!.rooms[0]!);
  if ("problem" in booking) throw new Error(booking.problem);
  return { quotes: booking.quotes, flexible: true };
}

/** Book, as useBook calls it: a fresh key per click, the quotes, the flexible choice. */
const book = (url: string, booking = roomBooking()) => appAt(url, signedInJar()).api.startBooking({ idempotencyKey: newIdempotencyKey(), ...booking });

/** StartBooking as the page sends it (the key is random: any key of its form; the quote one search signed). */
const startBooking = (booking = roomBooking()) =>
  withSessionAndCsrf(
    connectRequest(WebService.method.startBooking, { idempotencyKey: KEY_EXAMPLE, ...booking }, (json) => ({
      ...json,
      idempotencyKey: regex(/^web-[0-9a-f]{32}$/, KEY_EXAMPLE),
      quotes: (json.quotes as string[]).map((q) => regex(QUOTE, q)),
    })),
  );
const KEY_EXAMPLE = "web-0123456789abcdef0123456789abcdef";

test("Book with the flexible option: the browser goes to the gateway's card page", async () => {
  const redirect = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("a hotel's room is priced", ROOM_PRICED)
    .uponReceiving("a booking of a quoted room with the flexible option")
    .withRequest(...startBooking())
    .willRespondWith(
      ...connectResponse({ paymentId: regex(/^pay_\S+$/, "pay_000000000000000000000000000000b1"), redirectUrl: regex(/^https?:\/\/\S+$/, "http://gateway.test/pay/gs_1") }),
    )
    .executeTest(async (mock) => (await book(mock.url)).redirectUrl);
  assert.is(redirect, "http://gateway.test/pay/gs_1");
});

test("Book with an expired quote: FAILED_PRECONDITION, the BFF's sentence shown and prices fetched again", async () => {
  const expired = { quotes: [testQuote(ANA.customerId, ROOM_ITEM, 40_000n, 10_000n, { issued: new Date("2020-01-01T00:00:00Z") })], flexible: false };
  const err = await pact
    .interaction()
    .given(...SIGNED_IN)
    .uponReceiving("a booking with a quote that has expired")
    .withRequest(...startBooking(expired))
    .willRespondWith(...connectError(Code.FailedPrecondition, { message: like("This price quote has expired: search again and book from the new results.") }))
    .executeTest((mock) => failureOf(book(mock.url, expired)));
  const problem = describeError(err, "the booking service");
  assert.is(problem.code as number, Code.FailedPrecondition as number, "useBook fetches prices again on this code");
  assert.match(problem.message, /search again/);
});

test("My trips: each trip's state, title, dates, amounts and what can be done", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("the customer has a confirmed trip", TRIP)
    .uponReceiving("the first page of a customer's trips")
    .withRequest(...withSession(connectRequest(WebService.method.listTrips, { pageSize: 20, pageToken: "" })))
    .willRespondWith(...connectResponse({ trips: Matchers.eachLike(CONFIRMED_TRIP) }))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.listTrips({ pageSize: 20, pageToken: "" }));
  const trip = res!.trips[0]!;
  assert.is(tripStateLabel(trip.state), "Confirmed");
  assert.ok(canCancel(trip), "a confirmed trip with a reservation can be cancelled");
  assert.ok(tripMessage(trip).details.includes("Seller reference: CASA-000123."));
  assert.equal([formatMoney(trip.amount), formatMoney(trip.markdown)], ["€400.00", "€100.00"]);
});

test("Cancel: the dialog shows what goes back and the policy", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("the customer has a confirmed trip", TRIP)
    .uponReceiving("a cancellation quote")
    .withRequest(...withSession(connectRequest(WebService.method.quoteCancellation, { reservationId: RESERVATION_ID }, reservationFromState)))
    .willRespondWith(...connectResponse(CANCELLATION_QUOTE))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.quoteCancellation({ reservationId: RESERVATION_ID }));
  assert.equal([formatMoney(res?.refund), formatMoney(res?.walletRefund)], ["€400.00", "€100.00"]);
  assert.ok(res?.policy);
});

test("Cancel confirmed: the trip comes back cancelled, with what was refunded", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("the customer has a confirmed trip", TRIP)
    .uponReceiving("a cancellation")
    .withRequest(...withSessionAndCsrf(connectRequest(WebService.method.cancelTrip, { reservationId: RESERVATION_ID }, reservationFromState)))
    .willRespondWith(...connectResponse({ trip: CANCELLED_TRIP }))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.cancelTrip({ reservationId: RESERVATION_ID }));
  assert.is(tripStateLabel(res!.trip!.state), "Cancelled");
  assert.is(formatMoney(res?.trip?.refunded), "€400.00");
});

test("the wallet page: the balance and its history", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .given("the customer has money in the wallet", { customerId: ANA.customerId, availableMinor: "10000" })
    .uponReceiving("the wallet page")
    .withRequest(...withSession(connectRequest(WebService.method.getWallet, { pageSize: 20, pageToken: "" })))
    .willRespondWith(...connectResponse(WALLET_PAGE))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.getWallet({ pageSize: 20, pageToken: "" }));
  assert.equal([formatMoney(res?.available), formatMoney(res?.held)], ["€100.00", "€0.00"]);
  assert.equal(res?.transactions.map((t) => [t.transactionId, formatMoney(t.amount)]), [["t1", "€100.00"]]);
});

test("sign-out: answered, the session is the BFF's to end", async () => {
  const res = await pact
    .interaction()
    .given(...SIGNED_IN)
    .uponReceiving("a sign-out")
    .withRequest(...withSessionAndCsrf(connectRequest(WebService.method.signOut, {})))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.signOut({}));
  assert.ok(res);
});

const OLIVIA = { customerId: "cus_olivia", displayName: "Olivia Operator" };
const OPERATOR_SIGNED_IN = ["a person with the operator role is signed in", OLIVIA] as const;
const DEAD_LETTER = { process: "mailer", group: "mailer", messageId: "42" };

test("the Operator page: the sellers' health, each seller with its breaker", async () => {
  const res = await pact
    .interaction()
    .given(...OPERATOR_SIGNED_IN)
    .uponReceiving("the Operator page's sellers")
    .withRequest(...withSession(connectRequest(WebService.method.listSellerHealth, {})))
    .willRespondWith(
      ...connectResponse({
        sellers: Matchers.eachLike({ sellerId: like("casa"), name: like("Casa Hotels"), breakerState: regex(/^(closed|open|half-open)$/, "open") }),
      }),
    )
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.listSellerHealth({}));
  assert.equal(res?.sellers.map((s) => [s.sellerId, s.breakerState]), [["casa", "open"]]);
});

test("the Operator page: the dead letters, each with its process, group, message id and last error", async () => {
  const res = await pact
    .interaction()
    .given(...OPERATOR_SIGNED_IN)
    .given("a dead letter waits at a process", DEAD_LETTER)
    .uponReceiving("the Operator page's dead letters")
    .withRequest(...withSession(connectRequest(WebService.method.listOperatorDeadLetters, {})))
    .willRespondWith(
      ...connectResponse({
        deadLetters: Matchers.eachLike({
          process: like("mailer"),
          deadLetter: {
            group: like("mailer"),
            topic: like("booking.reservations"),
            key: like("res_abcdefghijklmnopqrstuvwxyz"),
            messageId: regex(/^\d+$/, "42"),
            attempts: Matchers.integer(20),
            lastError: like("customer c-1 is unknown to identity"),
            failTime: regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "2027-02-01T10:15:00Z"),
          },
        }),
      }),
    )
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.listOperatorDeadLetters({}));
  assert.equal(res?.deadLetters.map((d) => [d.process, d.deadLetter?.group, d.deadLetter?.messageId]), [["mailer", "mailer", 42n]]);
});

test("the Operator page: reservations per hour by state, for the chart and its table", async () => {
  const res = await pact
    .interaction()
    .given(...OPERATOR_SIGNED_IN)
    .uponReceiving("the Operator page's bookings by state over time")
    .withRequest(...withSession(connectRequest(WebService.method.getOperatorBookingStats, {})))
    .willRespondWith(
      // Counts of zero are left out of the JSON (proto3); the chart reads them as 0.
      ...connectResponse({ buckets: Matchers.eachLike({ startTime: regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "2027-02-01T10:00:00Z") }, 2), bucketMinutes: 60 }),
    )
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.getOperatorBookingStats({}));
  assert.equal([res?.bucketMinutes, res?.buckets.length, res?.buckets[0]?.paid], [60, 2, 0]);
});

test("the Operator page: the payments pending too long, with the threshold applied", async () => {
  const res = await pact
    .interaction()
    .given(...OPERATOR_SIGNED_IN)
    .given("a payment has been pending for an hour", { paymentId: "pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9", customerId: "cus_tom" })
    .uponReceiving("the Operator page's payments pending too long")
    .withRequest(...withSession(connectRequest(WebService.method.listOperatorPendingPayments, {})))
    .willRespondWith(
      ...connectResponse({
        payments: Matchers.eachLike({
          paymentId: like("pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9"),
          customerId: like("cus_tom"),
          amount: { amountMinor: regex(/^\d+$/, "40000"), currency: like("EUR") },
          createTime: regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, "2027-02-01T10:00:00Z"),
        }),
        olderThanSeconds: Matchers.integer(450),
      }),
    )
    .executeTest((mock) => appAt(mock.url, signedInJar()).api.listOperatorPendingPayments({}));
  assert.equal(res?.payments.map((p) => [p.paymentId, formatMoney(p.amount)]), [["pay_0a1b2c3d4e5f60718293a4b5c6d7e8f9", "€400.00"]]);
  assert.is(res?.olderThanSeconds, 450);
});

for (const method of ["replayOperatorDeadLetter", "discardOperatorDeadLetter"] as const) {
  test(`the Operator page: ${method === "replayOperatorDeadLetter" ? "Replay" : "Discard"} of a dead letter, after its confirmation`, async () => {
    const res = await pact
      .interaction()
      .given(...OPERATOR_SIGNED_IN)
      .given("a dead letter waits at a process", DEAD_LETTER)
      .uponReceiving(`the Operator page's ${method === "replayOperatorDeadLetter" ? "replay" : "discard"} of a dead letter`)
      .withRequest(...withSessionAndCsrf(connectRequest(WebService.method[method], { ...DEAD_LETTER, messageId: 42n })))
      .willRespondWith(...connectResponse({}))
      .executeTest(async (mock): Promise<unknown> => {
        const { api } = appAt(mock.url, signedInJar());
        const req = { ...DEAD_LETTER, messageId: 42n };
        return method === "replayOperatorDeadLetter" ? api.replayOperatorDeadLetter(req) : api.discardOperatorDeadLetter(req);
      });
    assert.ok(res);
  });
}

test("the pact is the committed contracts/pacts/webapp-web.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
