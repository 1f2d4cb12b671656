import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor } from "@testing-library/react";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { TripSchema, TripState, WatchTripResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { ANA, failingStream, failure, renderPage, streamOf, unmount } from "../test/fake-api.js";
import { TripReturnPage } from "./TripReturnPage.js";

test.after.each(unmount);

const update = (state: TripState, sellerReference = "") =>
  create(WatchTripResponseSchema, {
    trip: create(TripSchema, { paymentId: "pay_1", reservationId: "r_1", state, sellerReference, item: { title: "Tejo Palace" }, amount: { amountMinor: 34_000n, currency: "EUR" } }),
  });
const message = () => screen.getByTestId("trip-message").textContent;

test("the trip is followed from payment to confirmation and the page says so in words", async () => {
  const api = await renderPage(
    <TripReturnPage />,
    { watchTrip: () => streamOf(update(TripState.PAYING), update(TripState.PAID), update(TripState.CONFIRMED, "SS-123")) },
    { url: "/trips/return?payment_id=pay_1&status=authorised", customer: ANA },
  );
  await waitFor(() => assert.is(screen.getByTestId("trip-state").textContent, "Confirmed"));
  assert.match(message() ?? "", /^Your booking is confirmed\.Seller reference: SS-123\./);
  assert.is(screen.getByTestId("amount").textContent, "€340.00");
  assert.is(screen.getByTestId("trip").getAttribute("aria-busy"), "false");
  assert.equal(api.requests("watchTrip"), [{ paymentId: "pay_1" }]);
});

test("a watch that ends before a final state is opened again until the trip is settled", async () => {
  let watches = 0;
  const api = await renderPage(
    <TripReturnPage />,
    { watchTrip: () => (++watches === 1 ? streamOf(update(TripState.PAID)) : streamOf(update(TripState.FAILED))) },
    { url: "/trips/return?payment_id=pay_1", customer: ANA },
  );
  await waitFor(() => assert.is(screen.getByTestId("trip-state").textContent, "Paid, confirming"));
  await waitFor(() => assert.is(screen.getByTestId("trip-state").textContent, "Could not be booked"), { timeout: 5_000 });
  assert.is(api.requests("watchTrip").length, 2);
});

test("a declined payment says nothing was charged even before the trip is known; a trip not found is not asked for again", async () => {
  const api = await renderPage(
    <TripReturnPage />,
    { watchTrip: () => failingStream(failure(Code.NotFound, "No trip for this payment.")) },
    { url: "/trips/return?payment_id=pay_9&status=declined", customer: ANA },
  );
  assert.is((await screen.findByRole("alert")).textContent, "No trip for this payment.");
  assert.is(message(), "Your card was declined. Nothing was booked and nothing was charged.You can try again with another card.");
  assert.is(api.requests("watchTrip").length, 1);
});

test("a return link without a payment says where the trips are, and follows nothing", async () => {
  const api = await renderPage(<TripReturnPage />, {}, { url: "/trips/return", customer: ANA });
  assert.is(screen.getByRole("alert").textContent, "This link has no payment in it. Your trips are listed under My trips.");
  assert.equal(api.requests("watchTrip"), []);
});

test.run();
