// My trips shows the payments that never became a reservation (issue 14):
// steps that e2e/browser.test.ts runs in its declining-card journey, right
// after the trip page said the card was declined — the same traveller, the
// same marketplace, no booking of its own.
//
// From the main navigation to My trips: the declined payment is there, saying
// the card was not charged, with the gateway's reason. Its "Try again" opens
// the hotel page with the same dates; Book goes to the gateway's card page,
// and the traveller, instead of paying, opens My trips: that payment is
// there too, waiting for the bank, above the declined one.
import * as assert from "uvu/assert";
import type { Locator, Page } from "playwright-core";
import { DECLINE_REASON } from "../sandbox/gateway-ledger.js";
import type { BrowserSession, BrowserWorld } from "./browser.fixture.js";

const textOf = async (l: Locator) => ((await l.textContent()) ?? "").replace(/\s+/g, " ").trim();

/** What the journey gives these steps: its world, and its own way to press Book on a hotel page. */
export interface TripsJourney {
  w: BrowserWorld;
  bookFirstRoom: (page: Page) => Promise<void>;
}

export async function declinedAndPendingInMyTrips(s: BrowserSession, { w, bookFirstRoom }: TripsJourney): Promise<void> {
  const { page } = s;
  const declinedId = new URL(page.url()).searchParams.get("payment_id");
  assert.ok(declinedId, "the trip page names its payment");

  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My trips" }).click();
  await page.getByRole("heading", { level: 1, name: "My trips" }).waitFor();
  const declined = page.locator(`[data-testid="trip"][data-payment-id="${declinedId}"]`);
  await declined.getByTestId("trip-state").filter({ hasText: "Card declined" }).waitFor();
  assert.is(await textOf(declined.getByTestId("trip-line")), "Payment declined — your card was not charged.");
  assert.match(await textOf(declined), DECLINE_REASON);
  assert.is(await declined.getByTestId("cancel-button").count(), 0, "nothing to cancel");
  await s.shot("my trips: the declined payment");

  const title = await textOf(declined.getByRole("heading", { level: 2 }));
  await declined.getByRole("link", { name: `Try again: ${title}` }).click();
  await page.getByTestId("room").first().waitFor();
  assert.match(new URL(page.url()).pathname, /^\/hotel\//, "Try again opens the hotel page");
  await s.shot("try again: the hotel page");
  await bookFirstRoom(page);
  await page.waitForURL((u) => u.href.startsWith(w.m.system.url("gateway")));
  await s.shot("gateway card page, not paid");

  // The traveller leaves the card page without paying: the payment waits for the bank.
  await page.goto("/trips");
  const trips = page.getByTestId("trip");
  await trips.first().getByTestId("trip-state").filter({ hasText: "Waiting for payment" }).waitFor();
  const pending = trips.first();
  assert.is(await textOf(pending.getByTestId("trip-line")), "Waiting for your bank to confirm the payment.");
  assert.ok(!(await pending.getAttribute("data-reservation-id")), "no reservation while the bank has not answered");
  assert.is(await trips.nth(1).getAttribute("data-payment-id"), declinedId, "newest first: the declined one below");
  assert.is(await trips.count(), 2, "this traveller's two payments, nothing else");
  await s.shot("my trips: waiting for the bank, above the declined payment");
}
