// The catalog over the wire, wired as main.ts wires it (serverStack,
// serveService, startServer), called with clientOf over gRPC and over
// Connect JSON: the same answers, errors with their fields, page tokens that
// survive the trip. Callers' tokens are verified as identity's would be
// (testTokens): each call is made as the service the contract names for it
// (sellers writes, search and web read), and anybody else is refused.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { kitRejection } from "../../endpoints/testing.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { catalogFixture, INVENTORY, NEW_YORK_ALIASES, TEST_PAGE_TOKEN_SECRET, type CatalogFixture } from "./fixture.js";
import { flight, LIS, MAD } from "./flights.fixture.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { catalogService } from "./service.js";
import { catalogValidators } from "./validators.js";

const log = pino({ level: "silent" });
let tokens: TestTokens;
/** A call as the service `name`, with its signed token. */
const as = async (name: string) => backgroundContext({ log, principal: await tokens.service(name) });
let c: CatalogFixture;
let tracing: Tracing;
let server: RunningServer;

test.before(async () => {
  c = await catalogFixture();
  tokens = await testTokens();
  tracing = createTracing({ serviceName: "catalog" });
  const endpoints = endpointsOf(
    CatalogService,
    catalogService({ hotels: c.hotels, flights: c.flights, pageTokenSecret: TEST_PAGE_TOKEN_SECRET }),
    ...serverStack({ registry: new Registry(), tracer: tracing.tracer, validators: catalogValidators() }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, CatalogService, endpoints, { log, authenticate: tokens.authenticate }),
  });
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
  await c?.close();
});

test("over gRPC: upsert, search a page at a time, bad input with its fields", async () => {
  const catalog = clientOf(CatalogService, grpcTransport(server.url));
  const upserted = await catalog.upsertHotels(await as("sellers"), { sellerId: "casa", hotels: INVENTORY, cityAliases: NEW_YORK_ALIASES });
  assert.equal([upserted.created, upserted.updated], [INVENTORY.length, 0]);

  const first = await catalog.searchHotels(await as("search"), { query: "NY", pageSize: 1 });
  assert.equal(first.hotels.map((h) => [h.hotelId, h.cityName, h.rooms.length]), [["h-P006", "New York", 2]]);
  const second = await catalog.searchHotels(await as("search"), { query: "NY", pageSize: 1, pageToken: first.nextPageToken });
  assert.equal(second.hotels.map((h) => h.hotelId), ["h-P007"]);

  const bad = await kitRejection(catalog.upsertHotels(await as("sellers"), { sellerId: "casa", hotels: [{ ...INVENTORY[0]!, starRating: 9, countryCode: "Portugal" }] }));
  assert.is(bad.code, Code.InvalidArgument);
  assert.equal(bad.violations.map((v) => v.field), ["hotels[0].country_code", "hotels[0].star_rating"]);
});

test("over Connect JSON: the same hotels, timestamps and dates; flights by route", async () => {
  const grpc: Client<typeof CatalogService> = clientOf(CatalogService, grpcTransport(server.url));
  const json: Client<typeof CatalogService> = clientOf(CatalogService, connectTransport(server.url, { binary: false }));
  const ids = { hotelIds: ["h-P008", "h-P001"] };
  assert.equal(await json.getHotels(await as("web"), ids), await grpc.getHotels(await as("web"), ids));

  await json.upsertFlights(await as("sellers"), {
    sellerId: "skylark",
    flights: [flight("SL100", LIS, MAD, "2026-12-01T06:15:00Z", "2026-12-01T08:40:00Z")],
    airports: [LIS, MAD],
  });
  const req = { origin: "LIS", destination: "MAD", departureDate: { year: 2026, month: 12, day: 1 } };
  const { flights } = await json.listFlights(await as("search"), req);
  assert.equal(flights.map((f) => [f.flightId, f.departureTime?.seconds, f.departureDate?.day, f.sellerIds]), [
    ["SL100-2026-12-01", BigInt(Date.parse("2026-12-01T06:15:00Z") / 1000), 1, ["skylark"]],
  ]);
  assert.equal((await grpc.listFlights(await as("search"), req)).flights, flights);
  const bad = await kitRejection(json.searchHotels(await as("web"), { query: "x", pageSize: 1000 }));
  assert.equal([bad.code, bad.violations.map((v) => v.field)], [Code.InvalidArgument, ["query", "page_size"]]);
});

test("writes are the sellers' alone: no token, a customer, search or web are refused and nothing is written", async () => {
  const catalog = clientOf(CatalogService, grpcTransport(server.url));
  const hotel = { ...INVENTORY[0]!, hotelId: "h-ACCESS", name: "Nobody's Hotel" };
  for (const [ctx, code] of [
    [backgroundContext({ log }), Code.Unauthenticated],
    [backgroundContext({ log, principal: await tokens.customer("c-1") }), Code.PermissionDenied],
    [await as("search"), Code.PermissionDenied],
    [await as("web"), Code.PermissionDenied],
  ] as const) {
    assert.is((await kitRejection(catalog.upsertHotels(ctx, { sellerId: "casa", hotels: [hotel] }))).code, code);
  }
  assert.equal((await catalog.getHotels(await as("web"), { hotelIds: ["h-ACCESS"] })).hotels, []);
});

test.run();
