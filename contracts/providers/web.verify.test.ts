// The web BFF against every committed pact that names it (the web app's): the
// real server as services/web/harness.fixture.ts builds it — main.ts's wiring
// (startWebServer: the browser middlewares, the cookie session, CSRF, CORS)
// on port 0 — over the fakes of the six services it composes
// (services/web/fakes.fixture.ts), whose shared World the states seed:
// identity's accounts, search's room price, the wallet's balance, payment's
// and booking's trips. The fakes of payment and booking answer a customer
// only their own, as the real ones do.
//
// Cookies: a state "a customer is signed in" signs an access token for its
// customer with the harness's testTokens — the keys the BFF's session
// verifier trusts — and makes a CSRF token; it answers both (`session`,
// `csrfToken`), which the verifier sends as the Cookie and x-csrf-token
// headers in place of the pact's examples (contracts/browser.ts).
//
// And the check that verification can fail: the same BFF, except that
// GetSession leaves csrf_token out, must not pass the app's pact.
import { randomBytes } from "node:crypto";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { localClient } from "../../endpoints/service.js";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { DeadLetterSchema } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { MoneySchema } from "../../gen/itinera/type/v1/money_pb.js";
import { addPayment, addReservation, fakeCatalog, fakeSearch, type World } from "../../services/web/fakes.fixture.js";
import { silent, startWebHarness, type HarnessOptions, type WebHarness } from "../../services/web/harness.fixture.js";
import { PACTS_DIR, stringListParam, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";

const ctx = backgroundContext({ log: silent });
const harnesses: WebHarness[] = [];

async function serveWeb(opts: HarnessOptions = {}): Promise<WebHarness> {
  const h = await startWebHarness(opts);
  harnesses.push(h);
  return h;
}

const eur = (amountMinor: bigint) => create(MoneySchema, { amountMinor, currency: "EUR" });
const day = (iso: string) => {
  const [year, month, d] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day: d };
};

/** The hotel stay of the trips the states make. */
const STAY_ITEM = create(ItemSchema, {
  sellerId: "casa",
  title: "Hotel Aurora, Lisbon — Double room, 3 nights",
  kind: {
    case: "hotelStay" as const,
    value: { hotelId: "h-aurora", roomId: "DBL", checkIn: day("2027-03-10"), checkOut: day("2027-03-13"), starRating: 4 },
  },
});

/** The states the web app names, set up in the World the BFF's fakes share. */
const webStates = (h: WebHarness): ProviderStates => {
  const w: World = h.world;
  const catalog = localClient(CatalogService, fakeCatalog(w));
  const search = localClient(SearchService, fakeSearch(w));
  const account = (customerId: string) => [...w.accounts.values()].find((a) => a.customerId === customerId);
  return {
    async "a customer is signed in"(params) {
      const [customerId, displayName] = [stringParam(params, "customerId"), stringParam(params, "displayName")];
      // Identity knows the customer's name (GetSession asks it, as a service).
      if (!account(customerId)) w.accounts.set(`${customerId}@example.test`, { password: randomBytes(12).toString("hex"), customerId, name: displayName });
      const { token } = await h.customer(customerId);
      return { session: token!, csrfToken: randomBytes(32).toString("base64url") };
    },
    async "a person with the operator role is signed in"(params) {
      const [customerId, displayName] = [stringParam(params, "customerId"), stringParam(params, "displayName")];
      if (!account(customerId)) w.accounts.set(`${customerId}@example.test`, { password: randomBytes(12).toString("hex"), customerId, name: displayName });
      const { token } = await h.tokens.operator(customerId);
      return { session: token!, csrfToken: randomBytes(32).toString("base64url") };
    },
    async "a dead letter waits at a process"(params) {
      const [process, group, messageId] = [stringParam(params, "process"), stringParam(params, "group"), BigInt(stringParam(params, "messageId"))];
      const letter = {
        group,
        topic: "booking.reservations",
        key: "res_abcdefghijklmnopqrstuvwxyz",
        messageId,
        type: "itinera.booking.v1.ReservationEvent",
        attempts: 20,
        lastError: "customer c-1 is unknown to identity (NOT_FOUND): no address for the invoice e-mail",
        publishTime: timestampFromDate(new Date("2027-02-01T10:00:00Z")),
        failTime: timestampFromDate(new Date("2027-02-01T10:15:00Z")),
      };
      w.deadLetters.set(process, [create(DeadLetterSchema, letter)]);
    },
    async "a payment has been pending for an hour"(params) {
      const [paymentId, customerId] = [stringParam(params, "paymentId"), stringParam(params, "customerId")];
      addPayment(w, paymentId, customerId, PaymentState.PENDING, { amount: eur(40_000n), createTime: timestampFromDate(new Date(Date.now() - 3_600_000)) });
    },
    async "no account has the e-mail"(params) {
      const email = stringParam(params, "email");
      if (w.accounts.has(email)) throw new Error(`identity already has an account for ${email}; the state needs none`);
    },
    async "a sign-up link was e-mailed"(params) {
      const [email, name] = [stringParam(params, "email"), stringParam(params, "displayName")];
      const token = randomBytes(16).toString("base64url");
      w.signUps.set(token, { email, password: randomBytes(12).toString("hex"), customerId: `cus_${name.split(" ")[0]!.toLowerCase()}`, name });
      return { token };
    },
    async "a customer has an account"(params) {
      const [email, password, name] = [stringParam(params, "email"), stringParam(params, "password"), stringParam(params, "displayName")];
      const known = w.accounts.get(email);
      if (known && known.password !== password) throw new Error(`${email} has an account with another password`);
      w.accounts.set(email, { password, customerId: `cus_${name.split(" ")[0]!.toLowerCase()}`, name });
    },
    async "hotels exist in a city"(params) {
      const [cityName, countryName] = [stringParam(params, "cityName"), stringParam(params, "countryName")];
      const { hotels } = await catalog.searchHotels(ctx, { query: cityName, pageSize: 40 });
      if (!hotels.some((x) => x.cityName === cityName && x.countryName === countryName)) {
        throw new Error(`the BFF's catalog lists no hotel in ${cityName}, ${countryName}`);
      }
    },
    async "airports exist"(params) {
      const codes = stringListParam(params, "codes");
      const { airports } = await catalog.getAirports(ctx, { codes });
      const missing = codes.filter((c) => !airports.some((a) => a.code === c));
      if (missing.length > 0) throw new Error(`the BFF's catalog does not know ${missing.join(", ")}`);
    },
    async "a hotel's room is priced"(params) {
      const [hotelId, roomId] = [stringParam(params, "hotelId"), stringParam(params, "roomId")];
      const { results } = await search.searchHotels(ctx, { query: { query: hotelId } });
      if (!results?.hotels.some((x) => x.hotelId === hotelId && x.rooms.some((r) => r.roomId === roomId))) {
        throw new Error(`the BFF's search does not list room ${roomId} of ${hotelId}`);
      }
      w.roomPrice = { listed: BigInt(stringParam(params, "listedMinor")), markdown: BigInt(stringParam(params, "markdownMinor")) };
    },
    async "the customer has money in the wallet"(params) {
      w.walletAvailable = BigInt(stringParam(params, "availableMinor"));
    },
    async "the customer has a confirmed trip"(params: StateParams) {
      const [customerId, paymentId] = [stringParam(params, "customerId"), stringParam(params, "paymentId")];
      // Their only trip: a payment an earlier interaction started (still pending) would be a trip in My trips too.
      for (const [id, p] of w.payments) if (p.customerId === customerId) w.payments.delete(id);
      for (const [id, r] of w.reservations) if (r.customerId === customerId) w.reservations.delete(id);
      addPayment(w, paymentId, customerId, PaymentState.AUTHORISED, { item: STAY_ITEM, amount: eur(40_000n), markdown: eur(10_000n) });
      const reservationId = addReservation(w, paymentId, ReservationState.CONFIRMED, {
        item: STAY_ITEM,
        sellerReference: "CASA-000123",
        createTime: timestampFromDate(new Date("2027-02-01T10:00:00Z")),
      });
      return { reservationId };
    },
  };
};

test.after(async () => {
  await Promise.all(harnesses.map((h) => h.close()));
});

test("the real BFF satisfies every pact that names it", async () => {
  const h = await serveWeb();
  const result = await verifyProvider("web", h.url, webStates(h));
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["webapp-web.json"],
  );
  assert.ok(result.interactions >= 15, `${result.interactions} interactions`);
  // The calls reached the fakes as the customer: the booking was paid with the signed-in customer's token.
  const paid = h.world.calls.filter((c) => c.method === "payment.MakePayment");
  assert.equal(paid.map((c) => c.principal?.id), ["cus_ana"], "the booking at the price shown, and not the changed one");
  // GetSession named the customer from identity, asked as the BFF itself.
  const named = h.world.calls.filter((c) => c.method === "identity.GetCustomer");
  assert.ok(named.length > 0 && named.every((c) => c.principal?.kind === "service" && c.principal.id === "web"), "GetCustomer as the BFF");
});

test("a BFF whose GetSession leaves csrf_token out fails the app's pact", async () => {
  const h = await serveWeb({
    service: (real) => ({
      ...real,
      async getSession(c, req) {
        return { ...(await real.getSession(c, req)), csrfToken: "" };
      },
    }),
  });
  const failure = await verifyProvider("web", h.url, webStates(h), { pactFiles: [`${PACTS_DIR}webapp-web.json`] }).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  assert.ok(failure, "verification passed against a BFF without csrf_token");
  assert.match(failure.message, "a visitor's first GetSession");
  assert.match(failure.message, "$: Actual map is missing the following keys: csrfToken");
  assert.not.match(failure.message, "the wallet page");
});

test.run();
