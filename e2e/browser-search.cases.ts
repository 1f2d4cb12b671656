// Browser cases of "search that tells the truth" (issue 14), registered by
// e2e/browser.test.ts on its one marketplace (whose inventory has 25 hotels
// in Paris: e2e/browser.fixture.ts):
// - "Show more" on Paris: the first 20 with the true total, then the next
//   page appended until every hotel is listed, and the list's length is the
//   total the page said at first; sorting by price orders every loaded hotel.
// - The hotel page and its booking: one search call in all (GetHotel prices
//   the stay by the hotel's id; StartBooking books the quotes the page got),
//   counted by the BFF's own client metrics on its admin port.
import type { Test } from "uvu";
import * as assert from "uvu/assert";
import type { Page } from "playwright-core";
import { until } from "../platform/processes.testing.js";
import type { BrowserSession, BrowserWorld } from "./browser.fixture.js";

export interface SearchCaseDeps {
  world: () => BrowserWorld;
  /** browser.test.ts's sign-up through the e-mail's link: signed in, on the home page. */
  signUp: (s: BrowserSession, name: string, email: string) => Promise<void>;
  uniqueEmail: (label: string) => string;
}

const PAGE_SIZE = 20;
const FOUND = /^(\d+) hotels? found/;

const statusOf = async (page: Page) => ((await page.getByTestId("search-status").textContent()) ?? "").replace(/\s+/g, " ").trim();
const hotelIds = async (page: Page) => page.getByTestId("hotel-result").evaluateAll((cards) => cards.map((c) => c.getAttribute("data-hotel-id") ?? ""));
/** "€1,234.50" → 123450. */
const minorOf = (text: string) => Math.round(Number(text.replace(/[^0-9.]/g, "")) * 100);

/** From the home page: `text` in the destination box, Search; answers once the page says how many it found. */
async function searchFor(page: Page, text: string): Promise<number> {
  await page.goto("/");
  await page.getByRole("combobox", { name: "Destination" }).fill(text);
  await page.getByRole("button", { name: "Search hotels" }).click();
  await page.getByTestId("search-status").filter({ hasText: /\bfound\b/ }).waitFor({ timeout: 30_000 });
  return Number(FOUND.exec(await statusOf(page))?.[1] ?? 0);
}

/** The BFF's finished calls to search's `method`, every outcome, from its Prometheus text. */
function searchCalls(metrics: string, method: string): number {
  return metrics
    .split("\n")
    .filter(
      (line) =>
        line.startsWith("rpc_requests_total{") &&
        line.includes('side="client"') &&
        line.includes('service="itinera.search.v1.SearchService"') &&
        line.includes(`method="${method}"`),
    )
    .reduce((sum, line) => sum + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

export function searchCases(test: Test, deps: SearchCaseDeps): void {
  test("Show more on Paris: 20 of a true total, then the next pages until every hotel is listed once", async () => {
    const w = deps.world();
    const s = await w.session("show-more-paris");
    const { page } = s;
    // The sellers ingest Paris after Lisbon: wait until the catalog holds more than a page of it.
    const total = await until("more than a page of hotels in Paris", async () => {
      const found = await searchFor(page, "Paris");
      return found > PAGE_SIZE ? found : undefined;
    }, 60_000);
    await page.getByRole("heading", { level: 1, name: "Hotels in Paris" }).waitFor();
    assert.is(await statusOf(page), `${total} hotels found, showing ${PAGE_SIZE}`);
    assert.is((await hotelIds(page)).length, PAGE_SIZE);
    await s.shot("paris: the first page with the true total");

    const showMore = page.getByRole("button", { name: "Show more hotels" });
    for (let loaded = PAGE_SIZE; loaded < total; ) {
      await showMore.click();
      loaded = Math.min(loaded + PAGE_SIZE, total);
      const expected = loaded < total ? `${total} hotels found, showing ${loaded}` : `${total} hotels found`;
      await page.getByTestId("search-status").filter({ hasText: expected }).waitFor();
      await s.shot(`paris: ${loaded} of ${total} shown`);
    }
    const ids = await hotelIds(page);
    assert.is(ids.length, total, "the total the first page said is the number of hotels there are");
    assert.is(new Set(ids).size, total, "every hotel once: the pages neither overlap nor skip");
    assert.is(await showMore.count(), 0, "no Show more after the last page");

    // Sorting applies to every hotel loaded, not page by page.
    await page.getByLabel("Sort by").selectOption("price");
    const prices = (await page.getByTestId("hotel-result").getByTestId("personal-price").allTextContents()).map(minorOf);
    assert.ok(prices.length > PAGE_SIZE, `prices across pages: ${prices.length}`);
    assert.equal(prices, [...prices].sort((a, b) => a - b), "cheapest first across every page");
    await s.shot("paris: every hotel, cheapest first");
    await s.close();
  });

  test("a hotel's page and its booking make one search call, by the hotel's id", async () => {
    const w = deps.world();
    const s = await w.session("hotel-page-one-search-call");
    const { page } = s;
    await page.goto("/signup");
    await deps.signUp(s, "Cy Search", deps.uniqueEmail("cy"));
    await searchFor(page, "Paris");
    const card = page.getByTestId("hotel-result").filter({ has: page.getByTestId("personal-price") }).first();
    const name = ((await card.getByRole("heading", { level: 2 }).textContent()) ?? "").trim();
    await s.shot("results, signed in");

    const before = await w.webMetrics();
    await card.getByRole("link", { name: `See rooms at ${name}` }).click();
    await page.getByRole("heading", { level: 1, name }).waitFor();
    const room = page.getByTestId("room").filter({ has: page.getByTestId("personal-price") }).first();
    await room.waitFor();
    await s.shot("hotel page priced by id");
    await room.getByRole("button", { name: /^Book / }).click();
    await page.waitForURL((u) => u.href.startsWith(w.m.system.url("gateway")));
    await page.getByLabel("Card number").waitFor();
    await s.shot("booked: the gateway's card page");
    const after = await w.webMetrics();

    assert.is(searchCalls(after, "SearchHotels") - searchCalls(before, "SearchHotels"), 1, "GetHotel: one call, StartBooking: none");
    assert.is(searchCalls(after, "StreamHotels") - searchCalls(before, "StreamHotels"), 0, "no keyword search behind the page");
    await s.close();
  });
}
