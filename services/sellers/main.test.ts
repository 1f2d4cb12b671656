// The sellers as a real process: `node --import tsx services/sellers/main.ts`
// on a free port and a fresh database, with catalog and pricing as fake
// services on real gRPC servers and the sellers as fakes on real HTTP
// servers. At start it syncs the pull sellers into catalog and pricing over
// gRPC; its webhook takes a signed push on the same port; /metrics shows the
// sellers' counters; SIGTERM stops it with exit code 0. Identity runs
// in-process: the fake catalog and pricing check their contracts' callers
// (access middleware, tokens verified with identity's keys), so the sync
// landing proves sellers writes with its own token; SyncSeller over the wire
// without a token is refused.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { endpointsOf } from "../../endpoints/service.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase } from "../../platform/testing.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { startFakeSellers } from "./fake-sellers.fixture.js";
import { fakeCatalog, fakePricing, pushHeaders, samplePushBody } from "./fixture.js";
import { backgroundContext } from "../../endpoints/context.js";
import { Code, type KitError } from "../../endpoints/errors.js";
import { access } from "../../endpoints/middleware/access.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { identityFixture, serveIdentity, testServiceSecret } from "../identity/fixture.js";
import { bearerAuthenticator, tokenVerifier } from "../identity/verifier.js";

const log = pino({ level: "silent" });
const SECRET = "main-test-secret";


test("the process syncs at start over gRPC, takes a push on its webhook, exports metrics and stops on SIGTERM", async () => {
  const db = await testDatabase();
  const sellers = await startFakeSellers();
  const catalog = fakeCatalog();
  const pricing = fakePricing();
  const identity = await identityFixture();
  const identityServer = await serveIdentity(identity);
  const authenticate = bearerAuthenticator(tokenVerifier({ jwksUrl: new URL("/.well-known/jwks.json", identityServer.url) }));
  const catalogServer = await startServer({
    port: 0,
    log,
    routes: (r) => serveService(r, CatalogService, endpointsOf(CatalogService, catalog.impl, access()), { log, authenticate }),
  });
  const pricingServer = await startServer({
    port: 0,
    log,
    routes: (r) => serveService(r, PricingService, endpointsOf(PricingService, pricing.impl, access()), { log, authenticate }),
  });
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  let child: TestProcess | undefined;
  try {
    child = startProcess("services/sellers/main.ts", {
      LOG_LEVEL: "warn",
      DATABASE_URL: db.url,
      SELLERS_PORT: String(port),
      CATALOG_URL: catalogServer.url,
      PRICING_URL: pricingServer.url,
      SANDBOX_AIRLINE_URL: sellers.skylark.url,
      SANDBOX_HOTELS_URL: sellers.casa.url,
      SANDBOX_PUSH_URL: sellers.wanderly.url,
      SELLERS_WEBHOOK_KEYS: `wanderly:${SECRET}`,
      SYNC_INTERVAL_MS: "3600000",
      IDENTITY_URL: identityServer.url,
      SERVICE_SECRET: testServiceSecret("sellers"),
    });

    await until("readiness", async () => {
      const res = await fetch(`${base}/readyz`).catch(() => undefined);
      await res?.body?.cancel();
      return res?.status === 200 ? true : undefined;
    });
    // The first sync runs at start: casa's 5 hotels and 10 rates, skylark's 3 flights, over gRPC.
    await until("the first sync", () =>
      catalog.recorded.hotels.length > 0 && catalog.recorded.flights.length > 0 && pricing.recorded.rates.length > 0 ? true : undefined,
    );
    assert.is(catalog.recorded.hotels.flatMap((r) => r.hotels).length, 5);
    assert.is(catalog.recorded.flights.flatMap((r) => r.flights).length, 3);
    assert.is(pricing.recorded.rates.flatMap((r) => r.rates).length, 10);

    const pushId = "7d6f5a4e-3c2b-4a19-8f7e-6d5c4b3a2f10";
    const body = samplePushBody(pushId);
    const push = await fetch(`${base}/webhooks/wanderly`, {
      method: "POST",
      body: new Uint8Array(body),
      headers: { "content-type": "application/json", ...pushHeaders(body, pushId, { key: SECRET }) },
    });
    assert.equal([push.status, await push.json()], [200, { rates: 2, listings: 1, duplicate: false }]);

    const anonymous = await clientOf(SellersService, grpcTransport(base))
      .syncSeller(backgroundContext({ log }), { sellerId: "casa" })
      .then(() => undefined, (e: unknown) => e);
    assert.is((anonymous as KitError).code, Code.Unauthenticated, "SyncSeller over the wire needs a named caller");

    const metrics = await (await fetch(`${base}/metrics`)).text();
    assert.match(metrics, /seller_searches_total\{seller="skylark"\} 0/);
    assert.match(metrics, /seller_look_to_book\{seller="casa"\} 0/);

    child.child.kill("SIGTERM");
    assert.is(await child.exited, 0, child.stderr());
  } finally {
    await child?.kill();
    await catalogServer.close(1000);
    await pricingServer.close(1000);
    await identityServer.close(1000);
    await identity.close();
    await sellers.close();
    await db.drop();
  }
});

test.run();
