import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { HotelResultSchema, PriceStatus, type HotelResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { StreamHotelsResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { addDays, localToday, toIsoDate } from "../lib/dates.js";
import { failingStream, failure, renderPage, streamOf, unmount } from "../test/fake-api.js";
import { HotelsPage } from "./HotelsPage.js";

test.after.each(unmount);

const checkIn = addDays(localToday(), 10);
const checkOut = addDays(checkIn, 2);
const url = (q: string) => `/hotels?q=${q}&in=${toIsoDate(checkIn)}&out=${toIsoDate(checkOut)}`;
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

const hotel = (id: string, name: string, stars: number, priceMinor: bigint, sellerId: string, markdownMinor = 0n) =>
  create(HotelResultSchema, {
    hotelId: id,
    name,
    cityName: "Lisbon",
    countryCode: "PT",
    starRating: stars,
    amenities: ["wifi", "pool"],
    fromPrice: { listed: eur(priceMinor + markdownMinor), markdown: eur(markdownMinor), price: eur(priceMinor), status: PriceStatus.FRESH, sellerId },
  });
const HOTELS = [
  hotel("h_tejo", "Tejo Palace", 5, 30_000n, "sunny-stays", 2_000n),
  hotel("h_alfama", "Alfama Rooms", 3, 9_000n, "budget_beds"),
  hotel("h_belem", "Belém Inn", 4, 15_050n, "sunny-stays"),
];
const results = (hotels: HotelResult[], degraded: string[] = []) => create(StreamHotelsResponseSchema, { results: { hotels, degraded, complete: true } });
const names = () => screen.queryAllByTestId("hotel-result").map((li) => within(li).getByRole("heading").textContent);

test("the stream's last message is what is listed: names, stars, place, personal price and the wallet's markdown", async () => {
  const api = await renderPage(<HotelsPage />, { streamHotels: () => streamOf(results(HOTELS.slice(0, 1)), results(HOTELS)) }, { url: url("Lisbon") });
  await waitFor(() => assert.is(screen.getByTestId("search-status").textContent, "3 hotels found"));
  assert.equal(names(), ["Tejo Palace", "Alfama Rooms", "Belém Inn"]);
  assert.equal(api.requests("streamHotels"), [{ query: "Lisbon", checkIn, checkOut }]);
  const tejo = screen.getAllByTestId("hotel-result")[0]!;
  assert.is(within(tejo).getByTestId("personal-price").textContent, "€300.00");
  assert.is(within(tejo).getByTestId("listed-price").textContent, "€320.00");
  assert.is(within(tejo).getByTestId("markdown").textContent, "−€20.00 from your wallet");
  assert.ok(within(tejo).getByText("Lisbon, Portugal"));
  assert.ok(within(tejo).getByText("Sold by Sunny Stays"));
  assert.is(within(tejo).getByRole("link", { name: "See rooms at Tejo Palace" }).getAttribute("href"), `/hotel/h_tejo?in=${toIsoDate(checkIn)}&out=${toIsoDate(checkOut)}`);
});

test("sorting, a maximum price, minimum stars and a seller narrow the list without a new search", async () => {
  const api = await renderPage(<HotelsPage />, { streamHotels: () => streamOf(results(HOTELS)) }, { url: url("Lisbon") });
  await waitFor(() => assert.is(names().length, 3));
  const user = userEvent.setup();
  await user.selectOptions(screen.getByLabelText("Sort by"), "price");
  assert.equal(names(), ["Alfama Rooms", "Belém Inn", "Tejo Palace"]);
  await user.type(screen.getByLabelText("Maximum price (EUR)"), "150.50");
  assert.equal(names(), ["Alfama Rooms", "Belém Inn"]);
  await user.selectOptions(screen.getByLabelText("Minimum stars"), "4");
  assert.equal(names(), ["Belém Inn"]);
  assert.is(screen.getByTestId("search-status").textContent, "3 hotels found, 1 shown with these filters");
  await user.selectOptions(screen.getByLabelText("Seller"), "budget_beds");
  assert.equal(names(), []);
  assert.ok(screen.getByText(/No hotels match these filters/));
  await user.click(screen.getAllByRole("button", { name: "Clear filters" })[0]!);
  assert.equal(names(), ["Tejo Palace", "Alfama Rooms", "Belém Inn"]);
  assert.is(api.requests("streamHotels").length, 1);
});

test("a maximum price that is not an amount is pointed out and filters nothing", async () => {
  await renderPage(<HotelsPage />, { streamHotels: () => streamOf(results(HOTELS)) }, { url: url("Lisbon") });
  await waitFor(() => assert.is(names().length, 3));
  await userEvent.setup().type(screen.getByLabelText("Maximum price (EUR)"), "150.555");
  assert.ok(screen.getByText("Type an amount, like 150 or 150.50."));
  assert.is(screen.getByLabelText("Maximum price (EUR)").getAttribute("aria-invalid"), "true");
  assert.is(names().length, 3);
});

test("no hotels, a degraded search and a failed search each say so", async () => {
  await renderPage(<HotelsPage />, { streamHotels: () => streamOf(results([], ["pricing"])) }, { url: url("Nowhere") });
  assert.ok(await screen.findByText("No hotels match “Nowhere” for these dates. Try a city, a country or a hotel’s name."));
  assert.is(screen.getByTestId("degraded").textContent, "Some prices could not be checked just now and may be out of date or missing.");
  unmount();
  await renderPage(<HotelsPage />, { streamHotels: () => failingStream(failure(Code.DeadlineExceeded)) }, { url: url("Lisbon") });
  assert.is((await screen.findByRole("alert")).querySelector("p")?.textContent, "We could not reach the hotel search just now. Please try again in a moment.");
  assert.ok(screen.getByRole("button", { name: "Try again" }));
});

test("Show more: the true total, the next page asked with the token and appended, sorting over every loaded hotel", async () => {
  const page = (hotels: HotelResult[], nextPageToken: string) =>
    create(StreamHotelsResponseSchema, { results: { hotels, complete: true, totalCount: 3, nextPageToken } });
  const api = await renderPage(
    <HotelsPage />,
    { streamHotels: (req) => (req.pageToken === "p2" ? streamOf(page(HOTELS.slice(1), "")) : streamOf(page(HOTELS.slice(0, 1), "p2"))) },
    { url: url("Lisbon") },
  );
  await waitFor(() => assert.is(screen.getByTestId("search-status").textContent, "3 hotels found, showing 1"));
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("Maximum price (EUR)"), "100");
  assert.is(screen.getByTestId("search-status").textContent, "3 hotels found: 1 loaded, 0 shown with these filters");
  await user.clear(screen.getByLabelText("Maximum price (EUR)"));
  await user.selectOptions(screen.getByLabelText("Sort by"), "price");
  await user.click(screen.getByRole("button", { name: "Show more hotels" }));
  await waitFor(() => assert.is(screen.getByTestId("search-status").textContent, "3 hotels found"));
  assert.equal(names(), ["Alfama Rooms", "Belém Inn", "Tejo Palace"], "the sort applies to every page loaded");
  assert.equal(api.requests("streamHotels"), [{ query: "Lisbon", checkIn, checkOut }, { query: "Lisbon", checkIn, checkOut, pageToken: "p2" }]);
  assert.is(screen.queryByRole("button", { name: "Show more hotels" }), null, "the last page has no next");
});

test("a URL with an invalid search shows the problems in the form and searches nothing", async () => {
  const api = await renderPage(<HotelsPage />, {}, { url: `/hotels?q=L&in=${toIsoDate(checkOut)}&out=${toIsoDate(checkIn)}` });
  assert.ok(screen.getByText("Type at least 2 letters of a city, a country or a hotel's name."));
  assert.ok(screen.getByText("Check-out must be after check-in."));
  assert.equal(api.requests("streamHotels"), []);
});

test.run();
