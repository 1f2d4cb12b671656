// Test support for the browser tests: the whole marketplace as real processes
// (e2e/marketplace.fixture.ts, the web service included) and a headless
// Debian Chromium driven by playwright-core. One browser for the file, one
// browser context per test (its own cookies: a fresh visitor), screenshots
// of every step under test-output/browser/<test>/<NN-step>.png, and the
// page's console errors and uncaught exceptions collected so that a test
// can require there were none.
import { existsSync } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import { join } from "node:path";
import { chromium, type Browser, type BrowserContext, type Page } from "playwright-core";
import * as assert from "uvu/assert";
import { freePort } from "../platform/processes.testing.js";
import { startMarketplace, type Marketplace } from "./marketplace.fixture.js";

const ROOT = new URL("..", import.meta.url).pathname;
export const SCREENSHOTS = join(ROOT, "test-output", "browser");

/** Debian's package puts the real binary in /usr/lib/chromium; /usr/bin/chromium is a shell wrapper. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/lib/chromium/chromium", "/usr/bin/chromium"].filter((p): p is string => !!p);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no Chromium at ${candidates.join(" or ")}: \`make test\` installs Debian's chromium`);
  return found;
}

/** A phone: the size of a current mid-range handset, touch, mobile layout. */
export const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true } as const;
const DESKTOP = { viewport: { width: 1280, height: 900 } } as const;

/** What the probes saw at one moment: per probe, how many elements matched and the first one's text. */
export type Snapshot = Record<string, { count: number; text: string }>;

export interface BrowserSession {
  context: BrowserContext;
  page: Page;
  /**
   * Every distinct state the probes (name → CSS selector) went through in the
   * page's current document, in order: a MutationObserver installed before
   * the page's own scripts notes each rendered change, so a state shown for
   * a moment is seen even when a later wait would miss it.
   */
  history(): Promise<Snapshot[]>;
  /** Saves a full-page screenshot of `of` (default: the session's page) as <NN>-<step>.png in the test's folder; answers its path. */
  shot(step: string, of?: Page): Promise<string>;
  /** Console errors and uncaught exceptions seen so far, with the page they came from. */
  errors: string[];
  /** Closes the context and fails the test when the page logged an error. */
  close(): Promise<void>;
}

export interface BrowserWorld {
  m: Marketplace;
  /** The web app and its API (the web service), as the browser reaches it. */
  webUrl: string;
  /** The SMTP sink's viewer. */
  inboxUrl: string;
  /** The web service's (the BFF's) Prometheus text from its admin port: what it asked of whom (rpc_requests_total{side="client"}). */
  webMetrics(): Promise<string>;
  browser: Browser;
  /** A fresh visitor (no cookies) for `test` (the screenshot folder's name); a phone-sized screen with `phone`. */
  session(test: string, opts?: { phone?: boolean; probes?: Record<string, string> }): Promise<BrowserSession>;
  close(): Promise<void>;
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 60);

export async function startBrowserWorld(extraEnv: Record<string, string> = {}): Promise<BrowserWorld> {
  if (!existsSync(join(ROOT, "services", "web", "main.ts"))) throw new Error("services/web/main.ts is not in this checkout: no web service to test");
  if (!existsSync(join(ROOT, "web", "dist", "index.html"))) throw new Error("web/dist/index.html is missing: `make web` builds the web app");
  const adminPort = await freePort();
  const m = await startMarketplace({
    // Every visitor of these tests comes from 127.0.0.1 and types faster than a person: the per-address
    // limit is raised so that it never decides a test (services/web has its own tests of the limit).
    WEB_RATE_PER_SEC: "50",
    WEB_RATE_BURST: "500",
    // Five cities (Paris is the fifth, sandbox/places.ts) of 25 hotels each: more than a page (20) in a
    // city, for "Show more" (e2e/browser-search.cases.ts). 125 hotels over 20 days: still a small inventory.
    SANDBOX_CITIES: "5",
    SANDBOX_HOTELS_PER_CITY: "25",
    WEB_ADMIN_PORT: String(adminPort),
    ...extraEnv,
  });
  let browser: Browser;
  try {
    browser = await chromium.launch({
      executablePath: chromiumPath(),
      headless: true,
      // As root in a container: no sandbox. The rest keeps Chromium from calling out of this closed machine.
      args: ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    });
  } catch (e) {
    await m.close();
    throw e;
  }
  const webUrl = m.system.url("web");

  const session: BrowserWorld["session"] = async (test, opts = {}) => {
    const dir = join(SCREENSHOTS, slug(test));
    await rm(dir, { recursive: true, force: true });
    await mkdir(dir, { recursive: true });
    const context = await browser.newContext({ ...(opts.phone ? PHONE : DESKTOP), baseURL: webUrl, locale: "en-GB" });
    context.setDefaultTimeout(15_000);
    const errors: string[] = [];
    const watch = (page: Page) => {
      page.on("console", (msg) => {
        if (msg.type() !== "error") return;
        const source = msg.location().url;
        // The sandbox third parties' pages have no icon: the browser's own request for one is not their page's error.
        if (source.endsWith("/favicon.ico") && !source.startsWith(webUrl)) return;
        // The SMTP sink shows an e-mail in a sandboxed frame without scripts: this context's own init
        // script (recordProbes) is refused there, as it should be — the sandbox working, not a page error.
        if (source === "about:srcdoc" && msg.text().startsWith("Blocked script execution in 'about:srcdoc'")) return;
        errors.push(`${page.url()}: ${msg.text()}${source ? ` (${source})` : ""}`);
      });
      page.on("pageerror", (e) => errors.push(`${page.url()}: uncaught ${e.name}: ${e.message}`));
    };
    context.on("page", watch);
    await context.addInitScript(recordProbes(opts.probes ?? {}));
    const page = await context.newPage();
    let step = 0;
    return {
      context,
      page,
      errors,
      history: () => page.evaluate<Snapshot[]>("window.__probeHistory ?? []"),
      async shot(name, of = page) {
        step += 1;
        const path = join(dir, `${String(step).padStart(2, "0")}-${slug(name)}.png`);
        await of.screenshot({ path, fullPage: true });
        return path;
      },
      async close() {
        await context.close();
        assert.equal(errors, [], `the pages logged errors:\n${errors.join("\n")}`);
      },
    };
  };

  return {
    m,
    webUrl,
    inboxUrl: m.system.url("smtp"),
    async webMetrics() {
      const res = await fetch(`http://127.0.0.1:${adminPort}/metrics`);
      if (!res.ok) throw new Error(`the web service's /metrics answered ${res.status}`);
      return res.text();
    },
    browser,
    session,
    async close() {
      try {
        await browser.close();
      } finally {
        await m.close();
      }
    },
  };
}

/**
 * Runs in the page before its scripts (context.addInitScript): notes each
 * distinct state of the probes in window.__probeHistory. Plain JavaScript in a
 * string: a function compiled by tsx would carry helpers the page lacks.
 */
export const recordProbes = (probes: Record<string, string>) => `(() => {
  const probes = ${JSON.stringify(probes)};
  const history = [];
  window.__probeHistory = history;
  if (Object.keys(probes).length === 0) return;
  let last = "";
  const note = () => {
    const now = {};
    for (const [name, selector] of Object.entries(probes)) {
      const found = document.querySelectorAll(selector);
      now[name] = { count: found.length, text: (found[0] ? found[0].textContent : "").replace(/\\s+/g, " ").trim() };
    }
    const key = JSON.stringify(now);
    if (key !== last) history.push(now);
    last = key;
  };
  new MutationObserver(note).observe(document, { subtree: true, childList: true, characterData: true, attributes: true });
})();`;
