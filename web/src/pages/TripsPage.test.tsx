import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import {
  CancelTripResponseSchema,
  ListTripsResponseSchema,
  QuoteCancellationResponseSchema,
  TripSchema,
  TripState,
  type Trip,
} from "../../../gen/itinera/web/v1/web_pb.js";
import { App } from "../app.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";
import { TripsPage } from "./TripsPage.js";

test.after.each(unmount);

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
/** A hotel trip; a cancelled one carries its fee and refund. */
const trip = (n: number, state: TripState, settled?: { fee: bigint; refunded: bigint }) =>
  create(TripSchema, {
    paymentId: `pay_${n}`,
    reservationId: `r_${n}`,
    state,
    amount: eur(12_000n),
    item: {
      title: `Hotel ${n}`,
      kind: { case: "hotelStay", value: { hotelId: `h_${n}`, checkIn: { year: 2027, month: 3, day: 1 }, checkOut: { year: 2027, month: 3, day: 4 } } },
    },
    cancellationFee: settled && eur(settled.fee),
    refunded: settled && eur(settled.refunded),
  });
const page = (trips: Trip[], nextPageToken = "") => create(ListTripsResponseSchema, { trips, nextPageToken });

test("each trip shows its title, state, stay and amount; only paid or confirmed ones can be cancelled", async () => {
  await renderPage(<TripsPage />, { listTrips: async () => page([trip(1, TripState.CONFIRMED), trip(2, TripState.DECLINED)]) }, { url: "/trips", customer: ANA });
  const cards = await screen.findAllByTestId("trip");
  assert.equal(cards.map((c) => within(c).getByRole("heading").textContent), ["Hotel 1", "Hotel 2"]);
  assert.is(within(cards[0]!).getByTestId("trip-state").textContent, "Confirmed");
  assert.is(within(cards[0]!).getByTestId("amount").textContent, "€120.00");
  assert.match(within(cards[0]!).getByTestId("check-out").textContent ?? "", /^Thu,? 4 Mar 2027 \(3 nights\)$/);
  assert.is(within(cards[1]!).getByTestId("trip-state").textContent, "Card declined");
  assert.is(within(cards[1]!).getByText("Card amount (not charged)").tagName, "DT");
  assert.ok(within(cards[0]!).getByRole("button", { name: "Cancel Hotel 1" }));
  assert.is(within(cards[1]!).queryByRole("button", { name: /Cancel/ }), null);
});

test("a declined payment says the card was not charged, with the reason and a way to try again; a pending one waits for the bank", async () => {
  const declined = create(TripSchema, { ...trip(2, TripState.DECLINED), reservationId: "", reason: "The card was declined by its issuer." });
  const pending = create(TripSchema, { ...trip(3, TripState.PAYING), reservationId: "", createTime: timestampFromDate(new Date("2027-02-01T10:00:00Z")) });
  await renderPage(<TripsPage />, { listTrips: async () => page([pending, declined]) }, { url: "/trips", customer: ANA });
  const [waiting, refused] = await screen.findAllByTestId("trip");
  assert.is(within(refused!).getByTestId("trip-line").textContent, "Payment declined — your card was not charged.");
  assert.ok(within(refused!).getByText("The card was declined by its issuer."));
  const again = within(refused!).getByRole("link", { name: "Try again: Hotel 2" });
  assert.is(again.getAttribute("href"), "/hotel/h_2?in=2027-03-01&out=2027-03-04");
  assert.is(within(waiting!).getByTestId("trip-state").textContent, "Waiting for payment");
  assert.is(within(waiting!).getByTestId("trip-line").textContent, "Waiting for your bank to confirm the payment.");
  assert.is(within(waiting!).queryByRole("link", { name: /Try again/ }), null);
  assert.is(within(waiting!).queryByRole("button", { name: /Cancel/ }), null);
  assert.is(within(waiting!).getByText("Payment started").tagName, "DT", "not booked: a payment started");
});

test("no trips says so; a failure says so with a retry that asks again", async () => {
  let fail = true;
  const api = await renderPage(
    <TripsPage />,
    { listTrips: async () => (fail ? Promise.reject(failure(Code.Unavailable, "")) : page([])) },
    { url: "/trips", customer: ANA },
  );
  const alert = await screen.findByRole("alert");
  assert.is(within(alert).getByText(/We could not reach your trips/).tagName, "P");
  fail = false;
  await userEvent.setup().click(within(alert).getByRole("button", { name: "Try again" }));
  assert.ok(await screen.findByText(/You have no trips yet/));
  assert.is(api.requests("listTrips").length, 2);
});

test("Show more trips asks for the next page with the token and adds it below", async () => {
  const api = await renderPage(
    <TripsPage />,
    { listTrips: async (req) => (req.pageToken === "" ? page([trip(1, TripState.CONFIRMED)], "tok_2") : page([trip(2, TripState.CANCELLED)])) },
    { url: "/trips", customer: ANA },
  );
  await userEvent.setup().click(await screen.findByRole("button", { name: "Show more trips" }));
  await waitFor(() => assert.is(screen.getAllByTestId("trip").length, 2));
  assert.equal(api.requests("listTrips"), [{ pageSize: 20, pageToken: "" }, { pageSize: 20, pageToken: "tok_2" }]);
  assert.is(screen.queryByRole("button", { name: "Show more trips" }), null);
});

test("a signed-out visitor is sent to sign in and no trips are asked for", async () => {
  const api = await renderPage(<App />, {}, { url: "/trips" });
  assert.ok(await screen.findByRole("heading", { name: "Sign in" }));
  assert.is(window.location.search, "?next=%2Ftrips");
  assert.equal(api.requests("listTrips"), []);
});

test("cancelling shows the quote first, cancels only on confirmation, then says what happened", async () => {
  const api = await renderPage(
    <TripsPage />,
    {
      listTrips: async () => page([trip(1, TripState.CONFIRMED)]),
      quoteCancellation: async () =>
        create(QuoteCancellationResponseSchema, { fee: eur(1_200n), refund: eur(10_800n), walletRefund: eur(500n), policy: "Free until 1 March." }),
      cancelTrip: async () => create(CancelTripResponseSchema, { trip: trip(1, TripState.CANCELLED, { fee: 1_200n, refunded: 10_800n }) }),
    },
    { url: "/trips", customer: ANA },
  );
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Cancel Hotel 1" }));
  const dialog = screen.getByTestId("cancel-dialog");
  assert.is((await within(dialog).findByTestId("cancellation-fee")).textContent, "€12.00");
  assert.is(within(dialog).getByTestId("cancellation-refund").textContent, "€108.00");
  assert.is(within(dialog).getByTestId("cancellation-wallet-refund").textContent, "€5.00");
  assert.is(within(dialog).getByTestId("cancellation-policy").textContent, "Free until 1 March.");
  assert.equal(api.requests("quoteCancellation"), [{ reservationId: "r_1" }]);
  assert.equal(api.requests("cancelTrip"), []);
  await user.click(within(dialog).getByRole("button", { name: "Cancel trip" }));
  await waitFor(() => assert.is(screen.getByTestId("cancel-result").textContent, "Trip cancelled. Cancellation fee: €12.00. Refunded to your card: €108.00."));
  assert.equal(api.requests("cancelTrip"), [{ reservationId: "r_1" }]);
  assert.is(screen.getByTestId("trip-state").textContent, "Cancelled");
  assert.is(screen.queryByRole("button", { name: "Cancel Hotel 1" }), null);
});

test("keeping the trip closes the dialog without cancelling; a refused cancellation is shown in the dialog", async () => {
  const api = await renderPage(
    <TripsPage />,
    {
      listTrips: async () => page([trip(1, TripState.PAID)]),
      quoteCancellation: async () => create(QuoteCancellationResponseSchema, { fee: eur(0n), refund: eur(12_000n) }),
      cancelTrip: async () => Promise.reject(failure(Code.FailedPrecondition, "the trip is already fulfilled")),
    },
    { url: "/trips", customer: ANA },
  );
  const user = userEvent.setup();
  await user.click(await screen.findByRole("button", { name: "Cancel Hotel 1" }));
  const dialog = screen.getByTestId("cancel-dialog") as HTMLDialogElement;
  await within(dialog).findByTestId("cancellation-fee");
  await user.click(within(dialog).getByRole("button", { name: "Keep my trip" }));
  await waitFor(() => assert.is(dialog.open, false));
  assert.equal(api.requests("cancelTrip"), []);

  await user.click(screen.getByRole("button", { name: "Cancel Hotel 1" }));
  await user.click(await within(dialog).findByRole("button", { name: "Cancel trip" }));
  assert.is((await within(dialog).findByRole("alert")).textContent, "The trip is already fulfilled.");
  assert.is(dialog.open, true);
  assert.is(screen.getByTestId("trip-state").textContent, "Paid, confirming");
});

test.run();
