import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor, within } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightResultSchema, PriceStatus, type FlightResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { ListAirportsResponseSchema, StartBookingResponseSchema, StreamFlightsResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { addDays, localToday, toIsoDate } from "../lib/dates.js";
import { ANA, failure, renderPage, streamOf, unmount } from "../test/fake-api.js";
import { FlightsPage } from "./FlightsPage.js";

// The gateway's card page is another site: record where the page sends the browser instead of going.
const assigned: string[] = [];
window.location.assign = (url: string | URL) => void assigned.push(String(url));
test.before.each(() => {
  assigned.length = 0;
});
test.after.each(unmount);

const out = addDays(localToday(), 5);
const back = addDays(out, 4);
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const flight = (id: string, number: string, from: string, to: string, day: string, priceMinor: bigint | undefined, seatsLeft = 9) =>
  create(FlightResultSchema, {
    flightId: id,
    flightNumber: number,
    carrierName: "Sky Lines",
    origin: from,
    destination: to,
    departureLocal: `${day}T08:15:00+00:00`,
    arrivalLocal: `${day}T11:40:00+01:00`,
    cabin: "Economy",
    seatsLeft,
    price:
      priceMinor === undefined
        ? { status: PriceStatus.MISSING }
        : { listed: eur(priceMinor), price: eur(priceMinor), flexible: eur(priceMinor / 10n), status: PriceStatus.FRESH, sellerId: "sky", quote: `q_${id}` },
  });
const results = (outbound: FlightResult[], inbound: FlightResult[] = []) =>
  create(StreamFlightsResponseSchema, { results: { outbound, inbound, complete: true } });
// The page's own search form lists the airports.
const listAirports = async () => create(ListAirportsResponseSchema, { airports: [{ code: "LIS", cityName: "Lisbon" }, { code: "LHR", cityName: "London" }] });
const oneWayUrl = `/flights?from=LIS&to=LHR&date=${toIsoDate(out)}`;

test("one way: each flight with its times, duration, seats and fare; Book starts paying with its quote and the flexible choice", async () => {
  const api = await renderPage(
    <FlightsPage />,
    {
      listAirports,
      streamFlights: () => streamOf(results([flight("f1", "SL100", "LIS", "LHR", toIsoDate(out), 12_000n, 2), flight("f2", "SL200", "LIS", "LHR", toIsoDate(out), undefined)])),
      startBooking: async () => create(StartBookingResponseSchema, { paymentId: "pay_1", redirectUrl: "https://gateway.example/pay/1" }),
    },
    { url: oneWayUrl, customer: ANA },
  );
  await waitFor(() => assert.is(screen.getByTestId("search-status").textContent, "2 flights found"));
  assert.equal(api.requests("streamFlights"), [{ origin: "LIS", destination: "LHR", departureDate: out, returnDate: undefined }]);
  const [f1, f2] = screen.getAllByTestId("flight-result") as [HTMLElement, HTMLElement];
  assert.match(within(f1).getByTestId("departure").textContent ?? "", /^08:15 LIS .*UTC$/);
  assert.match(within(f1).getByTestId("arrival").textContent ?? "", /^11:40 LHR .*UTC\+01:00$/);
  assert.match(f1.textContent ?? "", "2 h 25 min · Economy");
  assert.is(within(f1).getByTestId("seats-left").textContent, "2 seats left");
  assert.is(within(f1).getByTestId("personal-price").textContent, "€120.00");
  assert.ok(within(f2).getByText("No price available right now."));

  const user = userEvent.setup();
  await user.click(within(f2).getByRole("button", { name: "Book flight SL200" }));
  assert.is(within(f2).getByRole("alert").textContent, "This flight has no price right now, so it cannot be booked.");
  assert.equal(api.requests("startBooking"), []);

  await user.click(within(f1).getByTestId("flexible-option"));
  assert.is(within(f1).getByTestId("booking-total").textContent, "€132.00");
  await user.click(within(f1).getByRole("button", { name: "Book flight SL100" }));
  await waitFor(() => assert.equal(assigned, ["https://gateway.example/pay/1"]));
  const [sent] = api.requests("startBooking");
  assert.equal({ ...sent, idempotencyKey: undefined }, { idempotencyKey: undefined, quotes: ["q_f1"], flexible: true });
  assert.match(sent!.idempotencyKey ?? "", /^web-[0-9a-f]{32}$/);
});

test("return: the cheapest priced flights are chosen first, another choice changes the total, Book sends both quotes", async () => {
  const api = await renderPage(
    <FlightsPage />,
    {
      listAirports,
      streamFlights: () =>
        streamOf(
          results(
            [flight("o1", "SL100", "LIS", "LHR", toIsoDate(out), 10_000n), flight("o2", "SL102", "LIS", "LHR", toIsoDate(out), 14_000n)],
            [flight("i1", "SL101", "LHR", "LIS", toIsoDate(back), 9_000n)],
          ),
        ),
      startBooking: async () => create(StartBookingResponseSchema, { paymentId: "pay_2", redirectUrl: "https://gateway.example/pay/2" }),
    },
    { url: `${oneWayUrl}&return=${toIsoDate(back)}`, customer: ANA },
  );
  await waitFor(() => assert.is(screen.getByTestId("search-status").textContent, "3 flights found (2 outbound, 1 return)"));
  assert.is(screen.getByTestId("total-price").textContent, "€190.00");
  const user = userEvent.setup();
  await user.click(screen.getByRole("radio", { name: /^SL102, / }));
  assert.is(screen.getByTestId("total-price").textContent, "€230.00");
  await user.click(screen.getByRole("button", { name: "Book these flights" }));
  await waitFor(() => assert.equal(assigned, ["https://gateway.example/pay/2"]));
  assert.equal(api.requests("startBooking").map((r) => [r.quotes, r.flexible]), [[["q_o2", "q_i1"], false]]);
});

test("a price that moved is said in the BFF's words next to the flight, and the prices are asked for again", async () => {
  const api = await renderPage(
    <FlightsPage />,
    {
      listAirports,
      streamFlights: () => streamOf(results([flight("f1", "SL100", "LIS", "LHR", toIsoDate(out), 12_000n)])),
      startBooking: async () => Promise.reject(failure(Code.FailedPrecondition, "The price changed: it is now €130.00.")),
    },
    { url: oneWayUrl, customer: ANA },
  );
  await userEvent.setup().click(await screen.findByRole("button", { name: "Book flight SL100" }));
  assert.is((await screen.findByRole("alert")).textContent, "The price changed: it is now €130.00.");
  await waitFor(() => assert.is(api.requests("streamFlights").length, 2));
  assert.equal(assigned, []);
});

test("a signed-out traveller who books is sent to sign in first, and nothing is booked", async () => {
  const api = await renderPage(<FlightsPage />, { listAirports, streamFlights: () => streamOf(results([flight("f1", "SL100", "LIS", "LHR", toIsoDate(out), 12_000n)])) }, { url: oneWayUrl });
  await userEvent.setup().click(await screen.findByRole("button", { name: "Book flight SL100" }));
  assert.is(window.location.pathname, "/signin");
  assert.is(new URLSearchParams(window.location.search).get("next"), oneWayUrl);
  assert.equal(api.requests("startBooking"), []);
});

test("an invalid route searches nothing and says what to fix; no flights says so", async () => {
  const api = await renderPage(<FlightsPage />, { listAirports }, { url: `/flights?from=LIS&to=LIS&date=${toIsoDate(out)}` });
  assert.is(screen.getByTestId("search-status").textContent, "Choose two different airports and a date from today on.");
  assert.equal(api.requests("streamFlights"), []);
  unmount();
  await renderPage(<FlightsPage />, { listAirports, streamFlights: () => streamOf(results([])) }, { url: oneWayUrl });
  assert.ok(await screen.findByText("No flights found for this route and date."));
});

test.run();
