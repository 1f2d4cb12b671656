import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SuggestDestinationsResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { addDays, localToday, toIsoDate } from "../lib/dates.js";
import { renderPage, unmount } from "../test/fake-api.js";
import { HotelSearchForm } from "./HotelSearchForm.js";

test.after.each(unmount);

const inDays = (n: number) => toIsoDate(addDays(localToday(), n));
const suggestions = () =>
  create(SuggestDestinationsResponseSchema, {
    destinations: [
      { label: "Lisbon", kind: "city", detail: "Portugal" },
      { label: "Lisbon Marriott", kind: "hotel", detail: "Lisbon" },
    ],
  });

async function fill(destination: string, checkIn: string, checkOut: string) {
  const user = userEvent.setup();
  if (destination) await user.type(screen.getByRole("combobox", { name: "Destination" }), destination);
  await user.clear(screen.getByLabelText("Check-in"));
  if (checkIn) await user.type(screen.getByLabelText("Check-in"), checkIn);
  await user.clear(screen.getByLabelText("Check-out"));
  if (checkOut) await user.type(screen.getByLabelText("Check-out"), checkOut);
  await user.click(screen.getByRole("button", { name: "Search hotels" }));
}

test("a valid search goes to the results page with the destination and the stay in the URL", async () => {
  await renderPage(<HotelSearchForm />, { suggestDestinations: async () => suggestions() }, { url: "/" });
  await fill("Lisbon", inDays(10), inDays(13));
  assert.is(window.location.pathname, "/hotels");
  assert.equal(Object.fromEntries(new URLSearchParams(window.location.search)), { q: "Lisbon", in: inDays(10), out: inDays(13) });
  assert.is(screen.queryByText(/Type at least 2 letters/), null);
});

test("too short a destination, a past check-in and a check-out before check-in are shown next to their fields and go nowhere", async () => {
  const api = await renderPage(<HotelSearchForm />, {}, { url: "/start" });
  await fill("L", inDays(-1), inDays(-2));
  assert.ok(screen.getByText("Type at least 2 letters of a city, a country or a hotel's name."));
  assert.ok(screen.getByText("Check-in cannot be in the past."));
  assert.ok(screen.getByText("Check-out must be after check-in."));
  assert.is(screen.getByRole("combobox", { name: "Destination" }).getAttribute("aria-invalid"), "true");
  assert.is(screen.getByLabelText("Check-in").getAttribute("aria-invalid"), "true");
  assert.is(window.location.pathname, "/start");
  // One letter asks for no suggestions either: nothing reached the BFF but the session check.
  assert.equal(api.calls.map((c) => c.method), ["getSession"]);
});

test("a stay longer than 30 nights and missing dates are refused", async () => {
  await renderPage(<HotelSearchForm />, {}, { url: "/start" });
  await fill("Porto", inDays(5), inDays(36));
  assert.ok(screen.getByText("A stay can be at most 30 nights."));
  unmount();
  await renderPage(<HotelSearchForm />, {}, { url: "/start" });
  await fill("Porto", "", "");
  assert.ok(screen.getByText("Choose a check-in date."));
  assert.ok(screen.getByText("Choose a check-out date."));
  assert.is(window.location.pathname, "/start");
});

test("typing asks for suggestions once, and choosing one with the keyboard fills the box", async () => {
  const api = await renderPage(<HotelSearchForm />, { suggestDestinations: async () => suggestions() });
  const user = userEvent.setup();
  const box = screen.getByRole("combobox", { name: "Destination" });
  await user.type(box, "Lis");
  await screen.findByRole("option", { name: /Lisbon Marriott/ });
  assert.equal(api.requests("suggestDestinations").at(-1), { text: "Lis" });
  assert.is(box.getAttribute("aria-expanded"), "true");
  await user.keyboard("{ArrowDown}{ArrowDown}{Enter}");
  assert.is((box as HTMLInputElement).value, "Lisbon Marriott");
  await waitFor(() => assert.is(box.getAttribute("aria-expanded"), "false"));
});

test("the BFF's own field problems are shown next to the fields", async () => {
  await renderPage(<HotelSearchForm serverFields={{ query: "Query is too long.", check_out: "Check-out is not a date." }} />, {});
  assert.ok(screen.getByText("Query is too long."));
  assert.ok(screen.getByText("Check-out is not a date."));
});

test.run();
