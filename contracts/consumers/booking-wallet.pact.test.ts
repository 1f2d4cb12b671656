// booking → wallet: the wallet commands booking sends (services/booking/
// create.ts holds a reservation's markdown; settlement.ts captures it when
// the seller confirms, releases it when the reservation fails, credits it
// back after a confirmed cancellation), written by running that code on
// booking's own store (booking-harness.ts) with the wallet over Connect JSON
// against Pact's mock server.
//
// Every command carries booking's service token and the idempotency key
// agreed in apis.md ("hold:<rid>", "capture:<rid>", "release:<rid>",
// "credit:cancel:<rid>"). Booking reads hold.hold_id from Hold (it keeps it
// with the reservation for the later capture or release) and handles one
// error: FAILED_PRECONDITION from Hold (the balance no longer covers the
// markdown), which makes the reservation FAILED. Capture, Release and Credit
// answers are not read: a success is what lets the settlement consumer mark
// the event settled; any failure is retried by the bus. Hold ids are the
// wallet's: the state holds money and the verifier sends its hold's id.
import type { JsonObject } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { CreditReason, WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { WALLET_REFUSED_REASON } from "../../services/booking/create.js";
import { bookingFixture, createRequest, type BookingFixture } from "../../services/booking/fixture.js";
import { reservationIdOf } from "../../services/booking/ids.js";
import { connectError, connectRequest, connectResponse, consumerPact, int64String, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { bookingWith, settle } from "./booking-harness.js";
import { overWire } from "./calls.js";

const { fromProviderState, like, regex, uuid } = Matchers;
let pact: ConsumerPact;
let f: BookingFixture;

const RESERVATION_ID = /^res_[a-z2-7]{26}$/;
const HOLD_ID_EXAMPLE = "7c9e6679-7425-40de-944b-e07fc1f90ae7";
/** Payment ids as payment makes them ("pay_" and 32 hex digits), one per test: reservation ids derive from them. */
const paymentId = (n: number) => `pay_${n.toString(16).padStart(32, "0")}`;

/** A key "<prefix>:<reservation id>" and the reservation id, as templates with their examples. */
const keyed = (prefix: string, json: JsonObject) => regex(new RegExp(`^${prefix}:res_[a-z2-7]{26}$`), String(json.idempotencyKey));
const holdIdFromState = fromProviderState("${holdId}", HOLD_ID_EXAMPLE);

/** A PAID reservation of `customerId` whose markdown the fake wallet held (the call before the one under test). */
async function paid(n: number, customerId: string, markdownMinor: bigint): Promise<string> {
  f.wallet.setBalance(customerId, f.wallet.balance(customerId) + markdownMinor);
  const { reservation } = await f.client.createReservation(f.serviceCtx("payment"), createRequest({ paymentId: paymentId(n), customerId, markdownMinor }));
  return reservation!.reservationId;
}

/** The wallet calls that reached the fake for this reservation (none when the wire answered and the inbox took it). */
const fakeCalls = (rid: string) => f.wallet.calls.filter((c) => c.key.endsWith(`:${rid}`)).map((c) => c.key.replace(`:${rid}`, ""));

test.before(async () => {
  pact = await consumerPact("booking", "wallet");
  f = await bookingFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("Hold of a new reservation's markdown: booking keeps the wallet's hold id with the PAID reservation", async () => {
  const req = createRequest({ paymentId: paymentId(1), customerId: "c-41", amountMinor: 27_000n, markdownMinor: 3_000n });
  const rid = reservationIdOf(req.paymentId);
  const created = await pact
    .interaction()
    .given("a customer has a wallet balance", { customerId: "c-41", currency: "EUR", amountMinor: "5000" })
    .uponReceiving("a hold of a reservation's markdown")
    .withRequest(
      ...withBearer(
        connectRequest(
          WalletService.method.hold,
          { idempotencyKey: `hold:${rid}`, customerId: "c-41", amount: { amountMinor: 3_000n, currency: "EUR" }, reference: rid },
          (json) => ({ ...json, idempotencyKey: keyed("hold", json), reference: regex(RESERVATION_ID, rid) }),
        ),
      ),
    )
    .willRespondWith(...connectResponse({ hold: { holdId: uuid(HOLD_ID_EXAMPLE) } }))
    .executeTest((mock) => bookingWith(f, { wallet: { hold: overWire(WalletService, mock.url).hold } }).createReservation(f.serviceCtx("payment"), req));
  assert.is(created?.reservation?.reservationId, rid);
  const row = await f.store.byId(rid);
  assert.equal([row?.state, row?.holdId], ["paid", HOLD_ID_EXAMPLE]);
});

test("Hold refused (FAILED_PRECONDITION: the balance no longer covers it): the reservation is made FAILED instead", async () => {
  const req = createRequest({ paymentId: paymentId(2), customerId: "c-42", amountMinor: 27_000n, markdownMinor: 3_000n });
  const rid = reservationIdOf(req.paymentId);
  const created = await pact
    .interaction()
    .given("a customer has a wallet balance", { customerId: "c-42", currency: "EUR", amountMinor: "1000" })
    .uponReceiving("a hold larger than the customer's balance")
    .withRequest(
      ...withBearer(
        connectRequest(
          WalletService.method.hold,
          { idempotencyKey: `hold:${rid}`, customerId: "c-42", amount: { amountMinor: 3_000n, currency: "EUR" }, reference: rid },
          (json) => ({ ...json, idempotencyKey: keyed("hold", json), reference: regex(RESERVATION_ID, rid) }),
        ),
      ),
    )
    .willRespondWith(...connectError(Code.FailedPrecondition))
    .executeTest((mock) => bookingWith(f, { wallet: { hold: overWire(WalletService, mock.url).hold } }).createReservation(f.serviceCtx("payment"), req));
  assert.is(created?.reservation?.failureReason, WALLET_REFUSED_REASON);
  const row = await f.store.byId(rid);
  assert.equal([row?.state, row?.holdId, row?.failureSource], ["failed", null, "wallet"]);
});

test("Capture once the seller confirmed: the Confirmed event is settled", async () => {
  const rid = await paid(3, "c-43", 3_000n);
  await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: rid, sellerReference: "CASA-000001" });
  await pact
    .interaction()
    .given("a customer has money held", { customerId: "c-43", currency: "EUR", amountMinor: "3000" })
    .uponReceiving("a capture of a confirmed reservation's hold")
    .withRequest(
      ...withBearer(
        connectRequest(WalletService.method.capture, { idempotencyKey: `capture:${rid}`, holdId: (await f.store.byId(rid))!.holdId! }, (json) => ({
          idempotencyKey: keyed("capture", json),
          holdId: holdIdFromState,
        })),
      ),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => settle(f, rid, { wallet: { capture: overWire(WalletService, mock.url).capture } }));
  await settle(f, rid, {});
  assert.equal(fakeCalls(rid), ["hold"], "settled: the redelivery called the wallet no more");
});

test("Release once the seller refused (refunded in full by sellers): the Failed event is settled", async () => {
  const rid = await paid(4, "c-44", 2_000n);
  await f.client.failReservation(f.serviceCtx("sellers"), { reservationId: rid, reason: "refused", refunded: { amountMinor: 30_000n, currency: "EUR" } });
  await pact
    .interaction()
    .given("a customer has money held", { customerId: "c-44", currency: "EUR", amountMinor: "2000" })
    .uponReceiving("a release of a failed reservation's hold")
    .withRequest(
      ...withBearer(
        connectRequest(WalletService.method.release, { idempotencyKey: `release:${rid}`, holdId: (await f.store.byId(rid))!.holdId! }, (json) => ({
          idempotencyKey: keyed("release", json),
          holdId: holdIdFromState,
        })),
      ),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => settle(f, rid, { wallet: { release: overWire(WalletService, mock.url).release } }));
  await settle(f, rid, {});
  assert.equal(fakeCalls(rid), ["hold"], "settled: the redelivery called the wallet no more");
  assert.equal(f.payment.refunds().filter((r) => r.key.endsWith(rid)), [], "sellers refunded it all: nothing more to refund");
});

test("Credit of the markdown after a confirmed reservation is cancelled: the Cancelled event is settled", async () => {
  const rid = await paid(5, "c-45", 3_000n);
  await f.client.confirmReservation(f.serviceCtx("sellers"), { reservationId: rid, sellerReference: "CASA-000002" });
  await f.client.cancelReservation(f.customer("c-45"), { reservationId: rid });
  await pact
    .interaction()
    .uponReceiving("a credit of a cancelled reservation's markdown")
    .withRequest(
      ...withBearer(
        connectRequest(
          WalletService.method.credit,
          { idempotencyKey: `credit:cancel:${rid}`, customerId: "c-45", amount: { amountMinor: 3_000n, currency: "EUR" }, reason: CreditReason.REFUND, reference: rid },
          (json) => ({
            ...json,
            idempotencyKey: keyed("credit:cancel", json),
            customerId: like("c-45"),
            amount: { amountMinor: int64String("3000"), currency: "EUR" },
            reference: regex(RESERVATION_ID, rid),
          }),
        ),
      ),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => settle(f, rid, { wallet: { credit: overWire(WalletService, mock.url).credit } }));
  await settle(f, rid, {});
  // The fake took the hold and the captures (the Confirmed event's, and the Cancelled event's repeat of it).
  assert.equal(fakeCalls(rid), ["hold", "capture", "capture"], "settled: the redelivery called the wallet no more");
  assert.equal(f.payment.refunds().filter((r) => r.key.endsWith(rid)).map((r) => [r.key.split(":")[1], r.amountMinor]), [["cancel", 27_500n]]);
});

test("the pact is the committed contracts/pacts/booking-wallet.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
