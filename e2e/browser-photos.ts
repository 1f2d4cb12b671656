// A browser case for e2e/browser.test.ts (which starts the marketplace once):
// the hotel cards show real photos — images the sandbox seller generated,
// loaded from our own origin's photo route (the CSP allows no other), with
// Cache-Control — not the lettered placeholder.
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import { PICTURE_WIDTH } from "../sandbox/picture.js";
import type { BrowserWorld } from "./browser.fixture.js";

export async function hotelPhotosFromOurOrigin(w: BrowserWorld): Promise<void> {
  const s = await w.session("hotel photos");
  const { page } = s;
  const served: { url: string; type: string | undefined; cache: string | undefined }[] = [];
  page.on("response", (r) => {
    if (new URL(r.url()).pathname.startsWith("/images/hotels/")) served.push({ url: r.url(), type: r.headers()["content-type"], cache: r.headers()["cache-control"] });
  });
  await page.goto("/");
  await page.getByRole("combobox", { name: "Destination" }).fill("Lisbon");
  await page.getByRole("button", { name: "Search hotels" }).click();
  await page.getByTestId("search-status").filter({ hasText: /\bfound\b/ }).waitFor({ timeout: 30_000 });
  const photo = page.getByTestId("hotel-result").first().getByRole("img", { name: /^Photo of / });
  const width = await until("first hotel's photo loaded", async () => (await photo.evaluate((img: HTMLImageElement) => (img.complete ? img.naturalWidth : 0))) || undefined);
  assert.is(width, PICTURE_WIDTH, "the sandbox's generated photo, decoded by the browser");
  const src = new URL((await photo.getAttribute("src"))!, w.webUrl);
  assert.is(src.origin, new URL(w.webUrl).origin, "from our own origin");
  assert.match(src.pathname, /^\/images\/hotels\/h-[A-Z0-9]+\/1$/);
  const response = served.find((r) => r.url === src.href);
  assert.equal([response?.type, response?.cache], ["image/png", "public, max-age=86400"]);
  await s.shot("hotel photos");
  await s.close();
}
