// Search over the wire, wired as main.ts wires it (serverStack with its
// validators and the methods' 1000 ms deadline, serveService, startServer)
// over fake dependencies, and called through Connect: a server stream over
// HTTP/2 arriving step by step, a unary call in JSON, bad input with its
// field violations, and a dependency that hangs while the answer still comes
// complete within the method's deadline. Calls come as a signed-in customer
// (the token the BFF forwards, verified as identity's would be); anybody
// else is refused.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { deferred, kitRejection } from "../../endpoints/testing.js";
import { PriceStatus, SearchService, type HotelResults } from "../../gen/itinera/search/v1/search_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { day, NOW, RICH, searchFixture, type SearchFixture } from "./fixture.js";
import { DEFAULT_BUDGETS } from "./settings.js";
import { searchValidators } from "./validators.js";

const log = pino({ level: "silent" });
/** A signed-in customer, whose token the BFF forwards: the markdown is theirs. */
let ctx: Context;
let tokens: TestTokens;
let tracing: Tracing;
let f: SearchFixture;
let server: RunningServer;
let overHttp2: Client<typeof SearchService>;
let overJson: Client<typeof SearchService>;

const lisbon = { query: "Lisbon", checkIn: day("2026-12-05"), checkOut: day("2026-12-08") };

test.before(async () => {
  tracing = createTracing({ serviceName: "search" });
  tokens = await testTokens();
  ctx = backgroundContext({ log, principal: await tokens.customer(RICH) });
  // The production budgets, so that the method's own 1000 ms deadline is what bounds a call.
  f = searchFixture({ budgets: DEFAULT_BUDGETS });
  const registry = new Registry();
  const endpoints = endpointsOf(
    SearchService,
    f.service,
    ...serverStack({ registry, tracer: tracing.tracer, validators: searchValidators({ now: () => NOW }) }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, SearchService, endpoints, { log, authenticate: tokens.authenticate }),
    metrics: registry,
  });
  overHttp2 = clientOf(SearchService, connectTransport(server.url, { http2: true }));
  overJson = clientOf(SearchService, connectTransport(server.url, { binary: false }));
});
test.after.each(() => {
  f.pricing.behaviour.gate = undefined;
  f.wallet.behaviour.gate = undefined;
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
});

test("a Connect stream over HTTP/2 delivers the listing before pricing answers, then the rest, the last complete", async () => {
  const pricingGate = deferred();
  const walletGate = deferred();
  f.pricing.behaviour.gate = pricingGate.promise;
  f.wallet.behaviour.gate = walletGate.promise;
  const steps: HotelResults[] = [];
  for await (const step of overHttp2.streamHotels(ctx, { query: lisbon })) {
    steps.push(step.results!);
    // Each dependency answers only once the client holds the previous step.
    if (steps.length === 1) pricingGate.resolve();
    if (steps.length === 2) walletGate.resolve();
  }
  assert.equal(steps.map((s) => s.complete), [false, false, true]);
  assert.ok(steps[0]!.hotels.every((h) => h.fromPrice!.status === PriceStatus.MISSING));
  assert.is(steps[1]!.hotels[1]!.fromPrice!.listed!.amountMinor, 47000n);
  assert.is(steps[2]!.hotels[1]!.fromPrice!.price!.amountMinor, 37000n);
});

test("a unary call in Connect JSON: int64 amounts and nested results survive the trip", async () => {
  const res = await overJson.searchHotels(ctx, { query: lisbon });
  const alfama = res.results!.hotels.find((h) => h.hotelId === "h-P000001")!;
  const double = alfama.rooms.find((r) => r.roomId === "DBL-STD")!.price!;
  assert.equal([double.listed!.amountMinor, double.markdown!.amountMinor, double.price!.amountMinor], [50000n, 10000n, 40000n]);
  assert.is(double.sellerId, "casa");
  assert.is(res.results!.complete, true);
});

test("bad input over the wire: InvalidArgument with a violation per field", async () => {
  const e = await kitRejection(
    overJson.searchFlights(ctx, { query: { origin: "lis", destination: "MAD", departureDate: day("2026-11-01") } }),
  );
  assert.is(e.code, Code.InvalidArgument);
  assert.equal(e.violations.map((v) => v.field), ["query.origin", "query.departure_date"]);
  const unknown = await kitRejection(
    (async () => {
      for await (const _ of overHttp2.streamFlights(ctx, { query: { origin: "XXX", destination: "MAD", departureDate: day("2026-12-05") } }));
    })(),
  );
  assert.equal(unknown.violations.map((v) => `${v.field} ${v.rule}`), ["query.origin known_airport"]);
});

test("pricing hanging: the answer still comes, complete and degraded, within the method's 1000 ms deadline", async () => {
  f.pricing.behaviour.gate = new Promise(() => {});
  const res = await overHttp2.searchHotels(ctx, { query: lisbon });
  assert.equal(res.results!.degraded, ["pricing"]);
  assert.is(res.results!.complete, true);
  assert.is(res.results!.hotels.length, 2);
  const flights = await overJson.searchFlights(ctx, {
    query: { origin: "LIS", destination: "MAD", departureDate: day("2026-12-05"), returnDate: day("2026-12-08") },
  });
  assert.equal(flights.results!.degraded, ["pricing"]);
  assert.is(flights.results!.outbound.length, 2);
});

test("search serves the BFF and signed-in customers: no token is Unauthenticated, another service PermissionDenied", async () => {
  const anonymous = await kitRejection(overJson.searchHotels(backgroundContext({ log }), { query: lisbon }));
  assert.is(anonymous.code, Code.Unauthenticated);
  const asPricing = await kitRejection(overJson.searchHotels(backgroundContext({ log, principal: await tokens.service("pricing") }), { query: lisbon }));
  assert.is(asPricing.code, Code.PermissionDenied);
  assert.is(asPricing.message, 'SearchHotels may be called by a signed-in customer or the service web, not by the service "pricing"');
  const asCustomer = await overJson.searchHotels(backgroundContext({ log, principal: await tokens.customer(RICH) }), { query: lisbon });
  assert.is(asCustomer.results!.complete, true);
});

test.run();
