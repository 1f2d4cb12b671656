// Pricing as a real process: `node --import tsx services/pricing/main.ts` on
// a free port and a fresh database, asking a real (fake) sellers server over
// gRPC. It becomes ready, ingests and answers offers over Connect, caches
// fares it asked from sellers, refuses bad input with the violations, and
// refuses to start when a rule does not compile, naming the rule. Identity
// runs in-process: pricing verifies callers' tokens with its keys and asks
// sellers with its own token; only sellers may ingest, only search read.
import { setTimeout as sleep } from "node:timers/promises";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { endpointsOf, type Service } from "../../endpoints/service.js";
import { PricingService, PriceSource } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { SellersService, type QuoteFlightsRequest } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { openDatabase } from "../../platform/db.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { addDays, dateMessage, isoDate, utcDay } from "./dates.js";
import { MIGRATIONS, nightsOf } from "./fixture.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "../identity/fixture.js";
import { bearerAuthenticator, tokenVerifier } from "../identity/verifier.js";

const log = pino({ level: "silent" });
/** A call as `name`, with a service token identity issued. */
const as = async (name: string) => {
  const res = await clientOf(IdentityService, connectTransport(identityServers[0]!.url)).issueServiceToken(backgroundContext({ log }), { serviceName: name, secret: testServiceSecret(name) });
  return backgroundContext({ log, principal: { kind: "service", id: name, roles: [], token: res.accessToken } });
};


const flightCalls: QuoteFlightsRequest[] = [];
const askedAs: (string | undefined)[] = [];
const fakeSellers: Service<typeof SellersService> = {
  async quoteFlights(ctx, req) {
    flightCalls.push(req);
    askedAs.push(ctx.principal?.id);
    return {
      fares: [
        {
          flightId: `SL123-${isoDate(req.departureDate!)}`,
          sellerId: "skylark",
          cabin: "economy",
          price: { amountMinor: 11_400n, currency: "EUR" },
          seatsLeft: 4,
          source: PriceSource.LIVE,
        },
      ],
    };
  },
  quoteHotelStay: async () => ({}),
  syncSeller: async () => ({}),
  listSellers: async () => ({}),
  receivePush: async () => ({}),
};

let db: TestDatabase;
/** Two replicas of sellers (SELLERS_URL names both), with the fares each quoted. */
let sellers: RunningServer[];
const quotedBy = [0, 0];
let pricing: TestProcess;
let url: string;
let identity: IdentityFixture;
let identityServers: RunningServer[];

test.before(async () => {
  db = await testDatabase();
  identity = await identityFixture();
  identityServers = [await serveIdentity(identity), await serveIdentity(identity)];
  const authenticate = bearerAuthenticator(tokenVerifier({ jwksUrl: new URL("/.well-known/jwks.json", identityServers[0]!.url) }));
  sellers = await Promise.all(
    quotedBy.map((_, i) => {
      const replica: Service<typeof SellersService> = { ...fakeSellers, quoteFlights: (ctx, req) => (quotedBy[i]!++, fakeSellers.quoteFlights(ctx, req)) };
      return startServer({ port: 0, log, routes: (router) => serveService(router, SellersService, endpointsOf(SellersService, replica), { log, authenticate }) });
    }),
  );
  url = `http://127.0.0.1:${await freePort()}`;
  pricing = startProcess("services/pricing/main.ts", {
    LOG_LEVEL: "warn",
    PRICING_PORT: new URL(url).port,
    DATABASE_URL: db.url,
    SELLERS_URL: sellers.map((s) => s.url).join(","),
    IDENTITY_URL: identityServers.map((s) => s.url).join(","),
    SERVICE_SECRET: testServiceSecret("pricing"),
  });
  await until("pricing ready", async () => {
    if (pricing.child.exitCode !== null) throw new Error(`pricing exited with ${pricing.child.exitCode}: ${pricing.stderr()}`);
    return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
  }).catch((e: unknown) => {
    throw new Error(`${e instanceof Error ? e.message : String(e)}: ${pricing.stderr()}`);
  });
});
test.after(async () => {
  try {
    await pricing?.kill();
    await Promise.all([...(sellers ?? []), ...(identityServers ?? [])].map((s) => s.close(1_000)));
    await identity?.close();
  } finally {
    await db?.drop();
  }
});

const client = () => clientOf(PricingService, connectTransport(url));

test("over the wire: rates in, a stay's totals out; fares asked from sellers over gRPC once, then cached", async () => {
  const today = utcDay(new Date());
  const ctx = await as("search");
  const ingested = await client().ingestHotelRates(await as("sellers"), { sellerId: "casa", rates: nightsOf("h-P1", "DBL-STD", today, [10_000, 11_000, 12_000]) });
  assert.equal([ingested.rates, ingested.totals], [3, 6]);
  const { offers } = await client().getHotelOffers(ctx, {
    hotelIds: ["h-P1"],
    checkIn: dateMessage(today),
    checkOut: dateMessage(addDays(today, 3)),
  });
  assert.equal(offers.map((o) => [o.hotelId, o.roomId, o.sellerId, o.total?.amountMinor, o.source]), [
    ["h-P1", "DBL-STD", "casa", 33_000n, PriceSource.FRESH],
  ]);

  const route = { origin: "LIS", destination: "MAD", departureDate: dateMessage(addDays(today, 10)) };
  const live = await client().getFlightFares(ctx, route);
  const cached = await client().getFlightFares(ctx, route);
  assert.equal(live.fares.map((x) => [x.flightId, x.price?.amountMinor, x.source]), [[`SL123-${addDays(today, 10)}`, 11_400n, PriceSource.LIVE]]);
  assert.equal(cached.fares.map((x) => x.source), [PriceSource.FRESH]);
  assert.is(flightCalls.length, 1);
  assert.equal(askedAs, ["pricing"], "pricing asked sellers as itself");
});

test("only sellers ingests and only search reads: anyone else is refused before any work", async () => {
  const today = utcDay(new Date());
  const rates = { sellerId: "casa", rates: nightsOf("h-P2", "DBL-STD", today, [10_000]) };
  for (const [who, code] of [
    [backgroundContext({ log }), Code.Unauthenticated],
    [await as("search"), Code.PermissionDenied],
    [await as("web"), Code.PermissionDenied],
  ] as const) {
    const e = await client().ingestHotelRates(who, rates).then(() => undefined, (x: unknown) => x);
    assert.instance(e, KitError);
    assert.is((e as KitError).code, code);
  }
  const offers = await client().getHotelOffers(await as("sellers"), { hotelIds: ["h-P2"], checkIn: dateMessage(today), checkOut: dateMessage(addDays(today, 1)) }).then(
    () => undefined,
    (x: unknown) => x,
  );
  assert.is((offers as KitError).code, Code.PermissionDenied);
  assert.is((offers as KitError).message, 'GetHotelOffers may be called by the service search, not by the service "sellers"');
});

test("SELLERS_URL naming two replicas: pricing's live quotes go to each in turn", async () => {
  const ctx = await as("search");
  const before = [...quotedBy];
  for (const days of [20, 21, 22, 23]) {
    await client().getFlightFares(ctx, { origin: "LIS", destination: "OPO", departureDate: dateMessage(addDays(utcDay(new Date()), days)) });
  }
  assert.equal(quotedBy.map((n, i) => n - before[i]!), [2, 2]);
});

test("a dependency's URL list with a bad entry stops the service at start, naming the variable and the entry", async () => {
  const p = startProcess("services/pricing/main.ts", { LOG_LEVEL: "warn", PRICING_PORT: String(await freePort()), SELLERS_URL: `${sellers[0]!.url},127.0.0.1:7008` });
  try {
    const code = await Promise.race([p.exited, sleep(30_000, "still running after 30 s", { ref: false })]);
    assert.ok(typeof code === "number" && code !== 0, `exit code ${String(code)}`);
    assert.match(p.stderr(), 'SELLERS_URL must be one base URL or a comma-separated list of them; it has an entry that is not an http:// or https:// base URL: \"127.0.0.1:7008\"');
  } finally {
    await p.kill();
  }
});

test("bad input over the wire: InvalidArgument with one violation per field", async () => {
  try {
    await client().getFlightFares(await as("search"), { origin: "XX", destination: "XX" });
    assert.unreachable("should have failed");
  } catch (e) {
    assert.instance(e, KitError);
    const err = e as KitError;
    assert.is(err.code, Code.InvalidArgument);
    assert.equal(err.violations.map((v) => v.field), ["origin", "destination", "departure_date"]);
  }
});

test("a rule that does not compile stops the service at start, naming the rule", async () => {
  const broken = await testDatabase();
  try {
    const database = await openDatabase({ url: broken.url, dataDir: ".data/unused", embeddedPort: 54329, schema: "pricing", migrationsDir: MIGRATIONS, log });
    await database.knex("rules").where({ name: "early-bird" }).update({ expression: "nights >= 5 &&" });
    await database.close();
    const p = startProcess("services/pricing/main.ts", { LOG_LEVEL: "warn", PRICING_PORT: String(await freePort()), DATABASE_URL: broken.url, SELLERS_URL: sellers[0]!.url });
    try {
      const code = await Promise.race([p.exited, sleep(30_000, "still running after 30 s", { ref: false })]);
      assert.ok(typeof code === "number" && code !== 0, `exit code ${String(code)}`);
      assert.match(p.stderr(), /pricing failed to start: rule "early-bird": does not compile/);
    } finally {
      await p?.kill();
    }
  } finally {
    await broken.drop();
  }
});

test.run();
