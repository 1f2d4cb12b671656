// The web BFF as main.ts wires it (startWebServer: the middlewares, the
// cookie session, CORS, static files), on port 0, over fakes of the services
// it composes (fakes.fixture.ts). Payment and booking are served on a real
// server of their own with the bearer authenticator and the access
// middleware, so a call reaches them only with the customer's token, as in
// production; the others are local clients. Tokens are testTokens(): real
// signed JWTs, verified the way the BFF verifies cookies. Not used by
// production code.
import { pino } from "pino";
import { Registry } from "prom-client";
import type { Principal } from "../../endpoints/context.js";
import { access } from "../../endpoints/middleware/access.js";
import { endpointsOf, localClient, type Service } from "../../endpoints/service.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import { quoteReader } from "../../platform/quotes.js";
import { createTracing } from "../../platform/tracing.js";
import { Browser } from "../../transport/browser.fixture.js";
import { clientOf, connectTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import {
  DEAD_LETTER_PROCESSES,
  fakeBooking,
  fakeCatalog,
  fakeDeadLetters,
  fakeIdentity,
  fakePayment,
  fakeSearch,
  fakeSellers,
  fakeWallet,
  world,
  type World,
} from "./fakes.fixture.js";
import { startWebServer } from "./server.js";
import { webService } from "./service.js";
import { webSessions } from "./session-transport.js";

export const silent = pino({ level: "silent" });
/** The key of the harness BFF's ListTrips page tokens (WEB_PAGE_TOKEN_SECRET). */
export const TEST_PAGE_TOKEN_SECRET = "web-test-page-tokens";

export interface HarnessOptions {
  dist?: string;
  rateLimit?: { ratePerSecond: number; burst: number };
  allowedOrigins?: string[];
  trustProxy?: boolean;
  watchPollMs?: number;
  /** The service served in place of the BFF's own, made from it (a contract test's broken BFF). */
  service?: (real: Service<typeof WebService>) => Service<typeof WebService>;
}

export interface WebHarness {
  url: string;
  world: World;
  tokens: TestTokens;
  /** A customer's principal with a valid token. */
  customer(id: string): Promise<Principal>;
  close(): Promise<void>;
}

export async function startWebHarness(opts: HarnessOptions = {}): Promise<WebHarness> {
  const w = world();
  const tokens = await testTokens();
  const tracing = createTracing({ serviceName: "web-test" });
  const peers = await startServer({
    port: 0,
    log: silent,
    routes: (router) => {
      serveService(router, PaymentService, endpointsOf(PaymentService, fakePayment(w), access()), { log: silent, authenticate: tokens.authenticate });
      serveService(router, BookingService, endpointsOf(BookingService, fakeBooking(w), access()), { log: silent, authenticate: tokens.authenticate });
      serveService(router, SellersService, endpointsOf(SellersService, fakeSellers(w), access()), { log: silent, authenticate: tokens.authenticate });
    },
  });
  const identity = localClient(IdentityService, fakeIdentity(w, tokens));
  const service = webService({
    priceQuotes: quoteReader(),
    identity,
    search: localClient(SearchService, fakeSearch(w)),
    catalog: localClient(CatalogService, fakeCatalog(w)),
    wallet: localClient(WalletService, fakeWallet(w)),
    payment: clientOf(PaymentService, connectTransport(peers.url)),
    booking: clientOf(BookingService, connectTransport(peers.url)),
    sellers: clientOf(SellersService, connectTransport(peers.url)),
    // One DeadLetterService per process, each behind the real access middleware, in process.
    deadLetters: Object.fromEntries(
      DEAD_LETTER_PROCESSES.map((p) => [p, localClient(DeadLetterService, fakeDeadLetters(w, p), access())]),
    ),
    servicePrincipal: () => tokens.service("web"),
    pageTokenSecret: TEST_PAGE_TOKEN_SECRET,
    settings: { publicUrl: "http://shop.example.test", watchPollMs: opts.watchPollMs ?? 10 },
  });
  const server: RunningServer = await startWebServer({
    port: 0,
    log: silent,
    service: opts.service ? opts.service(service) : service,
    sessions: webSessions({
      verify: async (token) => (await tokens.authenticate(`Bearer ${token}`))!,
      refresh: async (ctx, refreshToken) => (await identity.refresh(ctx, { refreshToken })).tokens!,
      secure: false,
    }),
    registry: new Registry(),
    tracer: tracing.tracer,
    rateLimit: opts.rateLimit ?? { ratePerSecond: 1000, burst: 1000 },
    allowedOrigins: opts.allowedOrigins ?? [],
    trustProxy: opts.trustProxy ?? false,
    dist: opts.dist ?? "/nonexistent/web/dist",
    gatewayOrigin: "http://127.0.0.1:7110",
  });
  return {
    url: server.url,
    world: w,
    tokens,
    customer: (id) => tokens.customer(id),
    async close() {
      await server.close(2_000);
      await peers.close(2_000);
      await tracing.shutdown();
    },
  };
}

/**
 * A browser that loaded the app, signed up as `name` and followed the link
 * the (fake) identity e-mailed: signed in. Answers the browser and
 * VerifyEmail's answer (the customer, the Set-Cookie lines).
 */
export async function signedUpBrowser(h: Pick<WebHarness, "url" | "world">, name: string, email = `${name.toLowerCase()}@example.test`) {
  const browser = new Browser(h.url);
  await browser.call("GetSession");
  const up = await browser.call("SignUp", { email, password: "correct horse battery", displayName: name });
  if (up.status !== 200) throw new Error(`SignUp answered ${up.status}: ${JSON.stringify(up.body)}`);
  const verified = await browser.call("VerifyEmail", { token: h.world.links.get(email) });
  if (verified.status !== 200) throw new Error(`VerifyEmail answered ${verified.status}: ${JSON.stringify(verified.body)}`);
  return { browser, email, verified };
}
