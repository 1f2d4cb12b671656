// The sellers service against every committed pact that names it
// (pricing's quotes, the web BFF's ListSellers for an operator): the real server, wired as services/sellers/main.ts wires it
// (the registry's adapters, the webhook route, SyncSeller's long default
// timeout), on its own PostgreSQL database, in front of the real sandbox
// sellers started here in-process over a tiny inventory. Provider states
// are the sellers' own behaviour: a premise checked against the sandbox's
// inventory, and the sandbox sellers' modes (normal, down) set through
// their admin.
//
// Two things differ from main.ts, both outside the contract under test:
// - the clock is fixed at TODAY (the sandbox's first day of rates), so that
//   the pact's dates (March 2027) are in the future and in the sellers' window;
// - catalog and pricing, which the sellers service writes to, are the
//   fixture's fakes (sellers → catalog and → pricing have their own pacts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { startCasa } from "../../sandbox/casa.js";
import { dayNumber } from "../../sandbox/calendar.js";
import { fares, generateInventory, hotelRates, type Inventory } from "../../sandbox/inventory.js";
import type { RunningSeller } from "../../sandbox/seller-server.js";
import { startSkylark } from "../../sandbox/skylark.js";
import { startWanderly } from "../../sandbox/wanderly.js";
import { createAdapters } from "../../services/sellers/adapters/index.js";
import { sellersFixture, type SellersFixture } from "../../services/sellers/fixture.js";
import { FxTable, SANDBOX_FX_RATES } from "../../services/sellers/fx.js";
import { sellersValidators } from "../../services/sellers/validators.js";
import { webhookRoute } from "../../transport/webhook.js";
import { pushWebhook } from "../../services/sellers/webhook.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates, type StateParams } from "../pact.js";
import { startProvider, type ProviderServer } from "./provider-server.js";
import { asPrincipal } from "../../endpoints/middleware/call-as.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";

/** The sandbox's first day of rates and fares, and the service's "today". */
const TODAY = "2027-03-01";
const CLOCK = new Date(`${TODAY}T10:00:00Z`);
/** main.ts's limit for SyncSeller (the proto sets none). */
const SYNC_TIMEOUT_MS = 30 * 60_000;

let inventory: Inventory;
let sandbox: Record<"skylark" | "casa" | "wanderly", RunningSeller>;
let f: SellersFixture;
let server: ProviderServer | undefined;
let tokens: TestTokens;

/** Each consumer's own service token, as the contract names the consumer: what the verifier sends for it. */
async function bearerTokensOf(...consumers: string[]): Promise<Record<string, string>> {
  return Object.fromEntries(await Promise.all(consumers.map(async (c) => [c, (await tokens.service(c)).token!])));
}

/** Every sandbox seller answering normally, except those named, which go down. */
function sellersDown(...down: string[]) {
  for (const [id, seller] of Object.entries(sandbox)) seller.admin.setMode(down.includes(id) ? "down" : "normal");
  const unknown = down.filter((id) => !(id in sandbox));
  if (unknown.length > 0) throw new Error(`no sandbox seller ${unknown.join(", ")} (known: ${Object.keys(sandbox).join(", ")})`);
}

function dayOf(params: StateParams, name: string): number {
  const day = dayNumber(stringParam(params, name));
  if (day === undefined) throw new Error(`provider state parameter "${name}" must be a date YYYY-MM-DD`);
  return day;
}

/** The premise of a route's states: flights on it that day, every fare with seats left. */
function assertRouteSold(params: StateParams) {
  const [origin, destination] = [stringParam(params, "origin"), stringParam(params, "destination")];
  const day = dayOf(params, "departureDate");
  const flights = inventory.flightsByRoute.get(`${origin}-${destination}`) ?? [];
  const seats = flights.flatMap((x) => fares(inventory, x, day).map((fare) => fare.seats));
  if (seats.length === 0 || seats.some((n) => n <= 0)) {
    throw new Error(`the sandbox sells no seats on every fare of ${origin}-${destination} on ${stringParam(params, "departureDate")}`);
  }
}

/** The states pricing names, over the sandbox sellers. */
const sellersStates = (): ProviderStates => ({
  async "a hotel sells rooms for a stay"(params) {
    sellersDown();
    const hotelId = stringParam(params, "hotelId");
    const hotel = inventory.hotelByCode.get(hotelId.replace(/^h-/, ""));
    const nights = hotel ? hotelRates(inventory, hotel, dayOf(params, "checkIn"), dayOf(params, "checkOut")) : [];
    if (nights.length === 0 || nights.some((n) => n.available <= 0)) {
      throw new Error(`the sandbox does not have every room of ${hotelId} free every night of the stay`);
    }
  },
  async "sellers fly a route on a date"(params) {
    sellersDown();
    assertRouteSold(params);
  },
  async "sellers fly a route on a date, one of them does not answer"(params) {
    assertRouteSold(params);
    sellersDown(stringParam(params, "downSeller"));
  },
  async "no seller of a route answers"() {
    sellersDown(...Object.keys(sandbox));
  },
  // The BFF forwards the person's own token: the state signs one with the operator role for its customer.
  async "a person with the operator role is signed in"(params) {
    sellersDown();
    return { customerToken: (await tokens.operator(stringParam(params, "customerId"))).token! };
  },
});

test.before(async () => {
  tokens = await testTokens();
  inventory = generateInventory({ seed: 42, today: TODAY, cities: 2, hotelsPerCity: 2, days: 30, pairs: 1 });
  const [skylark, casa, wanderly] = await Promise.all([
    startSkylark({ inventory }),
    startCasa({ inventory }),
    startWanderly({ inventory, pushOnStart: false, intervalMs: 0 }),
  ]);
  sandbox = { skylark, casa, wanderly };
  const now = () => CLOCK;
  const adapters = createAdapters(
    { skylark: skylark.url, casa: casa.url, wanderly: wanderly.url },
    { fx: new FxTable(SANDBOX_FX_RATES), now },
  );
  f = await sellersFixture({ adapters, now });
  server = await startProvider(SellersService, f.impl, {
    validators: sellersValidators(now),
    defaultTimeoutMs: SYNC_TIMEOUT_MS,
    http: (endpoints, log) => webhookRoute({ ...pushWebhook(asPrincipal(endpoints, { kind: "service", id: "sellers", roles: [] })), log }),
    ready: f.database.ready,
    authenticate: tokens.authenticate,
  });
});
test.after(async () => {
  await server?.close();
  await f?.close();
  await Promise.all(Object.values(sandbox ?? {}).map((s) => s.close()));
});

test("the real sellers service satisfies every pact that names it", async () => {
  const result = await verifyProvider("sellers", server!.url, sellersStates(), { bearerTokens: await bearerTokensOf("pricing") });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["pricing-sellers.json", "web-sellers.json"],
  );
  assert.ok(result.interactions >= 4, `${result.interactions} interactions`);
  // The quotes really reached the sandbox sellers.
  const searches = (s: RunningSeller) => s.admin.stats().searches ?? 0;
  assert.ok(searches(sandbox.casa) >= 1 && searches(sandbox.skylark) >= 2, JSON.stringify([sandbox.casa.admin.stats(), sandbox.skylark.admin.stats()]));
});

test.run();
