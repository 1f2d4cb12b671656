import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { PriceStatus } from "../../../gen/itinera/search/v1/search_pb.js";
import { GetHotelResponseSchema, StartBookingResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { addDays, localToday, toIsoDate } from "../lib/dates.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";
import { HotelPage } from "./HotelPage.js";

// The gateway's card page is another site: record where the page sends the browser instead of going.
const assigned: string[] = [];
window.location.assign = (url: string | URL) => void assigned.push(String(url));
test.before.each(() => {
  assigned.length = 0;
});
test.after.each(unmount);

const checkIn = addDays(localToday(), 20);
const checkOut = addDays(checkIn, 3);
const url = `/hotel/h_tejo?in=${toIsoDate(checkIn)}&out=${toIsoDate(checkOut)}`;
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const hotel = (quote = "q_dbl") =>
  create(GetHotelResponseSchema, {
    walletAvailable: eur(2_000n),
    hotel: {
      hotelId: "h_tejo",
      name: "Tejo Palace",
      cityName: "Lisbon",
      countryCode: "PT",
      starRating: 4,
      amenities: ["wifi"],
      rooms: [
        {
          roomId: "dbl",
          name: "Double room",
          maxOccupancy: 2,
          offerCount: 2,
          price: { listed: eur(36_000n), markdown: eur(2_000n), price: eur(34_000n), flexible: eur(3_600n), status: PriceStatus.FRESH, sellerId: "sunny-stays", quote },
        },
        { roomId: "suite", name: "Suite", maxOccupancy: 4, price: { status: PriceStatus.MISSING } },
      ],
    },
  });

test("the hotel's rooms are priced for the stay; Book sends the room's quote and the flexible choice, then goes to the card page", async () => {
  const api = await renderPage(
    <HotelPage hotelId="h_tejo" />,
    { getHotel: async () => hotel(), startBooking: async () => create(StartBookingResponseSchema, { paymentId: "pay_1", redirectUrl: "https://gateway.example/pay/1" }) },
    { url, customer: ANA },
  );
  assert.ok(await screen.findByRole("heading", { name: "Tejo Palace" }));
  assert.equal(api.requests("getHotel"), [{ hotelId: "h_tejo", checkIn, checkOut }]);
  assert.ok(screen.getByText("Your wallet has €20.00: it is already taken off the prices below."));
  const [double, suite] = screen.getAllByTestId("room") as [HTMLElement, HTMLElement];
  assert.match(double.textContent ?? "", "Sleeps 2 · 2 offers compared · sold by Sunny Stays");
  assert.is(within(double).getByTestId("personal-price").textContent, "€340.00");
  assert.is(within(double).getByTestId("booking-total").textContent, "€340.00");
  assert.ok(within(suite).getByText("No price available right now."));

  const user = userEvent.setup();
  await user.click(within(double).getByTestId("flexible-option"));
  assert.is(within(double).getByTestId("booking-total").textContent, "€376.00");
  await user.click(within(double).getByRole("button", { name: "Book Double room" }));
  await waitFor(() => assert.equal(assigned, ["https://gateway.example/pay/1"]));
  assert.equal(api.requests("startBooking").map((r) => [r.quotes, r.flexible]), [[["q_dbl"], true]]);
  assert.is(within(double).getByRole("button", { name: "Book Double room" }).textContent, "Booking…");
});

test("an expired quote is said in the BFF's words next to the room and the prices are asked for again", async () => {
  const api = await renderPage(
    <HotelPage hotelId="h_tejo" />,
    { getHotel: async () => hotel(), startBooking: async () => Promise.reject(failure(Code.FailedPrecondition, "The price of this room changed. Please check the new price.")) },
    { url, customer: ANA },
  );
  await userEvent.setup().click(await screen.findByRole("button", { name: "Book Double room" }));
  assert.is((await screen.findByRole("alert")).textContent, "The price of this room changed. Please check the new price.");
  await waitFor(() => assert.is(api.requests("getHotel").length, 2));
  assert.equal(assigned, []);
});

test("a price without a quote cannot be booked and nothing is sent", async () => {
  const api = await renderPage(<HotelPage hotelId="h_tejo" />, { getHotel: async () => hotel("") }, { url, customer: ANA });
  await userEvent.setup().click(await screen.findByRole("button", { name: "Book Double room" }));
  assert.match((await screen.findByRole("alert")).textContent ?? "", /^Prices are confirmed for signed-in travellers/);
  assert.equal(api.requests("startBooking"), []);
});

test("other dates: an invalid stay is refused next to the field, a valid one asks for prices again", async () => {
  const api = await renderPage(<HotelPage hotelId="h_tejo" />, { getHotel: async () => hotel() }, { url, customer: ANA });
  await screen.findByRole("heading", { name: "Tejo Palace" });
  const user = userEvent.setup();
  const form = screen.getByRole("form", { name: "Dates of your stay" });
  await user.clear(within(form).getByLabelText("Check-out"));
  await user.type(within(form).getByLabelText("Check-out"), toIsoDate(checkIn));
  await user.click(within(form).getByRole("button", { name: "Update prices" }));
  assert.ok(within(form).getByText("Check-out must be after check-in."));
  assert.is(api.requests("getHotel").length, 1);

  await user.clear(within(form).getByLabelText("Check-out"));
  await user.type(within(form).getByLabelText("Check-out"), toIsoDate(addDays(checkIn, 5)));
  await user.click(within(form).getByRole("button", { name: "Update prices" }));
  await waitFor(() => assert.equal(api.requests("getHotel").at(-1), { hotelId: "h_tejo", checkIn, checkOut: addDays(checkIn, 5) }));
  assert.is(new URLSearchParams(window.location.search).get("out"), toIsoDate(addDays(checkIn, 5)));
});

test.run();
