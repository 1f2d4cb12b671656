import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ListAirportsResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { addDays, localToday, toIsoDate } from "../lib/dates.js";
import { failure, renderPage, unmount } from "../test/fake-api.js";
import { FlightSearchForm } from "./FlightSearchForm.js";

test.after.each(unmount);

const inDays = (n: number) => toIsoDate(addDays(localToday(), n));
const airports = async () =>
  create(ListAirportsResponseSchema, {
    airports: [
      { code: "LIS", cityName: "Lisbon", countryCode: "PT" },
      { code: "LHR", cityName: "London", countryCode: "GB" },
    ],
  });

async function choose(from: string, to: string) {
  const user = userEvent.setup();
  await waitFor(() => assert.is(screen.getAllByRole("option", { name: "Lisbon (LIS)" }).length, 2));
  if (from) await user.selectOptions(screen.getByLabelText("From"), from);
  if (to) await user.selectOptions(screen.getByLabelText("To"), to);
  return user;
}

async function setDate(user: ReturnType<typeof userEvent.setup>, label: string, value: string) {
  await user.clear(screen.getByLabelText(label, { selector: "input[type=date]" }));
  if (value) await user.type(screen.getByLabelText(label, { selector: "input[type=date]" }), value);
}

test("a return trip goes to the results with both airports and both dates in the URL", async () => {
  await renderPage(<FlightSearchForm />, { listAirports: airports }, { url: "/" });
  const user = await choose("LIS", "LHR");
  await setDate(user, "Departure", inDays(3));
  await setDate(user, "Return", inDays(9));
  await user.click(screen.getByRole("button", { name: "Search flights" }));
  assert.is(window.location.pathname, "/flights");
  assert.equal(Object.fromEntries(new URLSearchParams(window.location.search)), { from: "LIS", to: "LHR", date: inDays(3), return: inDays(9) });
});

test("one way drops the return date from the form and the URL", async () => {
  await renderPage(<FlightSearchForm />, { listAirports: airports }, { url: "/" });
  const user = await choose("LHR", "LIS");
  await user.click(screen.getByRole("radio", { name: "One way" }));
  assert.is(screen.queryByLabelText("Return", { selector: "input[type=date]" }), null);
  await user.click(screen.getByRole("button", { name: "Search flights" }));
  assert.equal(Object.fromEntries(new URLSearchParams(window.location.search)), { from: "LHR", to: "LIS", date: inDays(7) });
});

test("missing airports, the same airport twice, a past departure and a return before it are shown and go nowhere", async () => {
  await renderPage(<FlightSearchForm />, { listAirports: airports }, { url: "/start" });
  let user = await choose("", "");
  await user.click(screen.getByRole("button", { name: "Search flights" }));
  assert.ok(screen.getByText("Choose where you fly from."));
  assert.ok(screen.getByText("Choose where you fly to."));
  assert.is(screen.getByLabelText("From").getAttribute("aria-invalid"), "true");
  unmount();

  await renderPage(<FlightSearchForm />, { listAirports: airports }, { url: "/start" });
  user = await choose("LIS", "LIS");
  await setDate(user, "Departure", inDays(-1));
  await setDate(user, "Return", inDays(-3));
  await user.click(screen.getByRole("button", { name: "Search flights" }));
  assert.ok(screen.getByText("Choose a destination other than the origin."));
  assert.ok(screen.getByText("The departure cannot be in the past."));
  assert.ok(screen.getByText("The return cannot be before the departure."));
  assert.is(window.location.pathname, "/start");
});

test("when the airport list cannot be loaded the form says so and Try again asks again", async () => {
  let fail = true;
  const api = await renderPage(<FlightSearchForm />, { listAirports: async () => (fail ? Promise.reject(failure(Code.Unavailable)) : airports()) });
  assert.is((await screen.findByRole("alert")).querySelector("p")?.textContent, "We could not reach the airport list just now. Please try again in a moment.");
  fail = false;
  await userEvent.setup().click(screen.getByRole("button", { name: "Try again" }));
  await choose("LIS", "LHR");
  assert.is(api.requests("listAirports").length, 2);
  assert.is(screen.queryByRole("alert"), null);
});

test.run();
