// test-timeout-seconds: 480
// test-heavy
// The traveller's journey in a real browser (headless Debian Chromium through
// playwright-core) against the whole marketplace as real processes: the web
// app served by the web service, every service behind it, the sandbox
// sellers, card gateway and SMTP sink. The pages are driven only as a person
// (or a screen reader) finds things: roles, accessible names, labels, and the
// test ids web/README.md lists. Every step is saved as a screenshot under
// test-output/browser/<test>/, and no page may log an error.
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Locator, Page } from "playwright-core";
import { until } from "../platform/processes.testing.js";
import { DECLINE_REASON } from "../sandbox/gateway-ledger.js";
import { operatorCases, OPERATOR_CASES_ENV } from "./browser-operator.cases.js";
import { startBrowserWorld, type BrowserSession, type BrowserWorld } from "./browser.fixture.js";
import { declinedAndPendingInMyTrips } from "./browser-trips.cases.js";
import { searchCases } from "./browser-search.cases.js";
import { CARDS } from "./marketplace.fixture.js";
import { hotelPhotosFromOurOrigin } from "./browser-photos.js";

let w: BrowserWorld;

test.before(async () => {
  w = await startBrowserWorld(OPERATOR_CASES_ENV);
  // The sellers ingest the (small) sandbox inventory at start: wait until search prices stays.
  await w.m.findStays(undefined, 1);
});

test.after(async () => {
  await w?.close();
});

const PROBES = {
  status: '[data-testid="search-status"]',
  hotels: '[data-testid="hotel-result"]',
  priced: '[data-testid="hotel-result"] [data-testid="personal-price"]',
  state: '[data-testid="trip-state"]',
};
const SELLERS = ["casa", "skylark", "wanderly"] as const;

/** "€1,234.50" → 123450: amounts as the pages show them (en-GB, two decimals). */
const minorOf = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);
const textOf = async (l: Locator) => ((await l.textContent()) ?? "").replace(/\s+/g, " ").trim();
const uniqueEmail = (label: string) => `${label}.${Date.now().toString(36)}${Math.random().toString(36).slice(2, 6)}@example.com`;
const PASSWORD = "a long enough password";

/** From the home page: the destination typed (and a suggestion taken when `suggestion` names one), then Search. */
async function searchHotels(s: BrowserSession, text: string, suggestion?: string) {
  const { page } = s;
  const destination = page.getByRole("combobox", { name: "Destination" });
  await destination.fill(text);
  if (suggestion) {
    const option = page.getByRole("listbox", { name: "Suggested destinations" }).getByRole("option", { name: new RegExp(suggestion) }).first();
    await option.waitFor();
    await s.shot("destination suggestions");
    await option.click();
    assert.is(await destination.inputValue(), suggestion, "taking a suggestion fills the box");
  }
  await page.getByRole("button", { name: "Search hotels" }).click();
  await page.getByTestId("search-status").filter({ hasText: /\bfound\b/ }).waitFor({ timeout: 30_000 });
}

/** The first hotel in the results with a price (and fewer than `belowStars` stars): its name, after opening its page. */
async function openHotel(s: BrowserSession, belowStars = 6): Promise<string> {
  const { page } = s;
  const cards = page.getByTestId("hotel-result");
  for (let i = 0; i < (await cards.count()); i++) {
    const card = cards.nth(i);
    const stars = Number((await card.getByRole("img", { name: /stars?$/ }).first().getAttribute("aria-label"))?.split(" ")[0] ?? 0);
    if (stars >= belowStars || (await card.getByTestId("personal-price").count()) === 0) continue;
    const name = await textOf(card.getByRole("heading", { level: 2 }));
    await card.getByRole("link", { name: `See rooms at ${name}` }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    await page.getByTestId("room").first().waitFor();
    return name;
  }
  throw new Error(`no priced hotel below ${belowStars} stars in the results`);
}

/** The first room with a price on the hotel page: Book. */
async function bookFirstRoom(page: Page) {
  const room = page.getByTestId("room").filter({ has: page.getByTestId("personal-price") }).first();
  await room.getByRole("button", { name: /^Book / }).click();
}

/** On the sandbox gateway's card page: the card, any expiry/CVC/name, Pay. */
async function payByCard(s: BrowserSession, card: string) {
  const { page } = s;
  await page.waitForURL((u) => u.href.startsWith(w.m.system.url("gateway")));
  await page.getByLabel("Card number").waitFor();
  await s.shot("gateway card page");
  await page.getByLabel("Card number").fill(card);
  await page.getByLabel("Expiry (MM/YY)").fill("12/30");
  await page.getByLabel("Security code (CVC)").fill("123");
  await page.getByLabel("Name on card").fill("Browser Traveller");
  await s.shot("card filled in");
  await page.getByRole("button", { name: /^Pay / }).click();
  await page.waitForURL((u) => u.href.startsWith(`${w.webUrl}/trips/return`));
}

/**
 * Sign-up form filled and sent: the page says to check the e-mail. Then the
 * link of the e-mail the SMTP sink received, opened as the traveller would
 * (it points at the site): signed in, on the home page.
 */
async function signUp(s: BrowserSession, name: string, email: string) {
  const { page } = s;
  await page.getByRole("heading", { level: 1, name: "Create an account" }).waitFor();
  await page.getByLabel("Your name").fill(name);
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await s.shot("sign-up form");
  await page.getByRole("button", { name: "Create account", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "Check your e-mail" }).waitFor();
  assert.match(await textOf(page.getByTestId("check-email")), email);
  assert.is(await page.getByTestId("customer-name").count(), 0, "not signed in before the link");
  await s.shot("sign-up: check your e-mail");

  const token = await w.m.verificationToken(email);
  const mail = (await w.m.inbox()).filter((x) => x.to.includes(email) && x.text.includes(token)).at(-1)!;
  assert.is(mail.subject, "Confirm your address to finish signing up");
  const link = mail.text.match(/\S+\/verify\?token=[\w-]+/)![0];
  assert.is(link, `${w.webUrl}/verify?token=${token}`, "the link points at the site");
  await page.goto(link);
  await page.getByTestId("customer-name").filter({ hasText: name }).waitFor();
  await page.getByRole("heading", { level: 1, name: "Find hotels and flights" }).waitFor();
  assert.is(new URL(page.url()).search, "", "the token is gone from the address bar");
  await s.shot("sign-up: signed in from the e-mail's link");
}

test("search, book with the authorising card, see it confirmed and invoiced, cancel with the fee shown first", async () => {
  const s = await w.session("book-confirm-invoice-cancel", { probes: PROBES });
  const { page } = s;
  const email = uniqueEmail("ana");

  // An account made through the site, then signed out: the visitor books as a returning customer.
  await page.goto("/");
  await page.getByRole("heading", { level: 1, name: "Find hotels and flights" }).waitFor();
  await s.shot("home");
  await page.getByRole("banner").getByRole("link", { name: "Create account" }).click();
  await signUp(s, "Ana Browser", email);
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("banner").getByRole("link", { name: "Sign in" }).waitFor();
  assert.is(await page.getByTestId("customer-name").count(), 0, "signed out");
  await s.shot("signed out");

  // Results arrive progressively: "Searching…" first (nothing yet), then hotels, then the final count.
  await searchHotels(s, "Lisb", "Lisbon");
  await s.shot("hotel results");
  const seen = await s.history();
  const searching = seen.findIndex((x) => x.status!.text.startsWith("Searching") && x.hotels!.count === 0);
  const withResults = seen.findIndex((x) => x.hotels!.count > 0);
  assert.ok(searching >= 0, `the page said it was searching before any result: ${JSON.stringify(seen.map((x) => x.status!.text))}`);
  assert.ok(withResults > searching, "results came after the searching state");
  const last = seen[seen.length - 1]!;
  assert.match(last.status!.text, /^\d+ hotels? found/);
  assert.ok(last.priced!.count > 0, "hotels show a price");

  // Five-star hotels are non-refundable once confirmed: this traveller picks one that can be refunded.
  const hotel = await openHotel(s, 5);
  await s.shot("hotel page");

  // Book while signed out: sign in first, then back to the hotel.
  await bookFirstRoom(page);
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  assert.match(page.url(), /\/signin\?next=/);
  await s.shot("sign in asked");
  await page.getByLabel("E-mail").fill(email);
  await page.getByLabel("Password", { exact: true }).fill(PASSWORD);
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByTestId("customer-name").filter({ hasText: "Ana Browser" }).waitFor();
  await page.getByRole("heading", { level: 1, name: hotel }).waitFor();
  await page.getByTestId("room").first().waitFor();
  await s.shot("back at the hotel, signed in");

  // The flexible option is a priced choice: ticking it raises the total by its price; booked without it here (the fee is shown on cancel).
  const room = page.getByTestId("room").filter({ has: page.getByTestId("flexible-option") }).first();
  const flexible = room.getByRole("checkbox", { name: /^Free cancellation \+/ });
  const total = room.getByTestId("booking-total");
  const plain = minorOf(await textOf(total));
  await flexible.check();
  const withFlexible = minorOf(await textOf(total));
  const label = await textOf(room.locator(".flexible-choice label"));
  assert.is(withFlexible - plain, minorOf(label), `the total rises by the option's price: ${label}`);
  await s.shot("the flexible option, priced");
  await flexible.uncheck();

  await bookFirstRoom(page);
  // Sellers take a moment to confirm (2.5 s a call here, well within their timeout), so PAID is on screen to be seen.
  await page.waitForURL((u) => u.href.startsWith(w.m.system.url("gateway")));
  for (const seller of SELLERS) await w.m.sellerAdmin(seller, "/admin/mode", { mode: "slow", delay_ms: 2500 });
  try {
    await payByCard(s, CARDS.authorises);
    const state = page.getByTestId("trip-state");
    await state.filter({ hasText: "Paid, confirming" }).waitFor();
    await s.shot("trip paid, confirming");
    await state.filter({ hasText: "Confirmed" }).waitFor({ timeout: 60_000 });
  } finally {
    for (const seller of SELLERS) await w.m.sellerAdmin(seller, "/admin/mode", { mode: "normal" });
  }
  await s.shot("trip confirmed");
  const states = (await s.history()).map((x) => x.state!.text).filter((t, i, all) => t !== "" && t !== all[i - 1]);
  assert.ok(states.indexOf("Paid, confirming") >= 0 && states.indexOf("Paid, confirming") < states.indexOf("Confirmed"), `the state went PAID → CONFIRMED live: ${states.join(" → ")}`);
  assert.match(await textOf(page.getByTestId("trip-message")), "Your booking is confirmed.");
  const paymentId = new URL(page.url()).searchParams.get("payment_id")!;
  const reservationId = await textOf(page.getByTestId("reservation-id"));
  const paidMinor = minorOf(await textOf(page.getByTestId("amount")));
  assert.ok(reservationId.length > 0 && paidMinor > 0);

  // The invoice, as the SMTP sink's viewer shows it.
  const mail = await s.context.newPage();
  const invoiceLink = mail.getByRole("row").filter({ hasText: email }).getByRole("link", { name: /^Your booking is confirmed/ });
  await until("the invoice in the SMTP sink", async () => {
    await mail.goto(w.inboxUrl);
    return (await invoiceLink.count()) > 0 ? true : undefined;
  });
  await s.shot("smtp sink inbox", mail);
  await invoiceLink.click();
  await mail.getByRole("heading", { level: 1, name: /^Your booking is confirmed/ }).waitFor();
  await mail.frameLocator('iframe[title="Message body"]').getByText(reservationId).first().waitFor();
  await s.shot("invoice e-mail", mail);
  await mail.close();
  assert.is((await w.m.inbox()).filter((x) => x.to.includes(email) && x.subject.startsWith("Your booking is confirmed")).length, 1, "one invoice");

  // My trips → Cancel: the fee and the refund first, then the confirmation.
  await page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: "My trips" }).click();
  await page.getByRole("heading", { level: 1, name: "My trips" }).waitFor();
  const trip = page.getByTestId("trip").filter({ hasText: hotel });
  await trip.getByTestId("trip-state").filter({ hasText: "Confirmed" }).waitFor();
  await s.shot("my trips");
  await trip.getByRole("button", { name: /^Cancel / }).click();
  const dialog = page.getByRole("dialog", { name: "Cancel this trip?" });
  await dialog.getByTestId("cancellation-fee").waitFor();
  const fee = await textOf(dialog.getByTestId("cancellation-fee"));
  const refund = await textOf(dialog.getByTestId("cancellation-refund"));
  await s.shot("cancellation fee and refund shown");
  assert.ok(minorOf(fee) > 0, `a confirmed booking costs a fee: ${fee}`);
  assert.ok(minorOf(refund) > 0, `and the rest goes back: ${refund}`);
  assert.is(minorOf(fee) + minorOf(refund), paidMinor, "fee + refund = what the card paid");
  await dialog.getByRole("button", { name: "Cancel trip" }).click();

  await trip.getByTestId("trip-state").filter({ hasText: "Cancelled" }).waitFor();
  await page.getByTestId("cancel-result").filter({ hasText: "Trip cancelled" }).waitFor();
  assert.is(await textOf(trip.getByTestId("refunded")), refund, "the refund shown is the one quoted");
  assert.is(await textOf(trip.getByTestId("trip-fee")), fee, "and so is the fee");
  await s.shot("trip cancelled with the refund");
  // The gateway itself says the card got exactly that back (the refund reaches it right after the cancellation).
  const refunded = await until("the refund at the gateway", async () => {
    const row = (await w.m.ledger()).find((r) => r.merchant_ref === paymentId);
    return row && row.refunds > 0 ? row.refunded_minor : undefined;
  });
  assert.is(refunded, minorOf(refund));
  await s.close();
});

test("on a phone: the declining card gives a plain-words error on the trip page, and My trips shows it and the next payment waiting for the bank", async () => {
  const s = await w.session("declined-card-on-a-phone", { phone: true, probes: PROBES });
  const { page } = s;
  const fitsTheScreen = async () =>
    assert.ok(await page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "nothing wider than the phone's screen");

  await page.goto("/signup");
  await signUp(s, "Bo Phone", uniqueEmail("bo"));
  await page.getByRole("heading", { level: 1, name: "Find hotels and flights" }).waitFor();
  await s.shot("signed up, home");

  await searchHotels(s, "Lisbon");
  await fitsTheScreen();
  await s.shot("results on a phone");
  await openHotel(s);
  await fitsTheScreen();
  await s.shot("hotel on a phone");
  await bookFirstRoom(page);
  await payByCard(s, CARDS.declines);

  await page.getByTestId("trip-state").filter({ hasText: "Card declined" }).waitFor();
  const message = await textOf(page.getByTestId("trip-message"));
  assert.match(message, "Your card was declined. Nothing was booked and nothing was charged.");
  assert.match(message, DECLINE_REASON);
  await fitsTheScreen();
  await s.shot("card declined");
  await declinedAndPendingInMyTrips(s, { w, bookFirstRoom });
  await fitsTheScreen();
  await s.close();
});

test("the hotel cards show the sellers' real photos, served from our own origin", () => hotelPhotosFromOurOrigin(w));

test("a signed-out visitor going to My trips is sent to sign in, and comes back there after", async () => {
  const s = await w.session("my-trips-needs-sign-in");
  const { page } = s;
  const customer = await w.m.signUp("cy"); // through identity; the fixture's password
  await page.goto("/trips");
  await page.getByRole("heading", { level: 1, name: "Sign in" }).waitFor();
  assert.is(new URL(page.url()).pathname, "/signin");
  assert.is(new URL(page.url()).searchParams.get("next"), "/trips");
  assert.is(await page.getByTestId("trips").count(), 0, "no trips list for a visitor");
  await s.shot("sent to sign in");

  await page.getByLabel("E-mail").fill(customer.email);
  await page.getByLabel("Password", { exact: true }).fill("correct horse battery");
  await page.getByRole("button", { name: "Sign in", exact: true }).click();
  await page.getByRole("heading", { level: 1, name: "My trips" }).waitFor();
  assert.is(new URL(page.url()).pathname, "/trips");
  await page.getByText("You have no trips yet.").waitFor();
  await s.shot("my trips after signing in");
  await s.close();
});

searchCases(test, { world: () => w, signUp, uniqueEmail });
operatorCases(() => w);

test.run();
