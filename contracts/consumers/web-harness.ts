// The web BFF as its consumer tests run it: main.ts's wiring — startWebServer
// with the cookie session (webSessions) and webService — on port 0, over
// in-memory fakes of the services it composes (services/web/fakes.fixture.ts),
// of which exactly the methods under test go over Connect JSON to Pact's mock
// server, so that the interaction under test is the only call on the wire. A
// browser (services/web/browser.fixture.ts) calls it as the web app does:
// cookies, the CSRF header, Connect JSON.
//
//   const answer = await withBff({ wallet: { getBalance: overWire(WalletService, mock.url).getBalance } },
//     async (bff) => (await bff.signedIn("c-81")).call("GetWallet", { pageSize: 20 }));
//
// Customers are signed in with the BFF's own session cookie (an access token
// of testTokens, the keys its session verifier trusts here); the BFF forwards
// that token to the services it calls for them, as in production.
import { Registry } from "prom-client";
import type { Principal } from "../../endpoints/context.js";
import { internal } from "../../endpoints/errors.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { createTracing } from "../../platform/tracing.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { Browser } from "../../transport/browser.fixture.js";
import { quoteReader } from "../../platform/quotes.js";
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
} from "../../services/web/fakes.fixture.js";
import { silent } from "../../services/web/harness.fixture.js";
import { startWebServer } from "../../services/web/server.js";
import { webService } from "../../services/web/service.js";
import { webSessions } from "../../services/web/session-transport.js";

/** Where the browser reaches the BFF in these tests: the gateway sends it back to <this>/trips/return. */
export const PUBLIC_URL = "http://127.0.0.1:8080";

/** The methods that go over the wire instead of memory, per service. */
export interface Wired {
  identity?: Partial<Client<typeof IdentityService>>;
  search?: Partial<Client<typeof SearchService>>;
  catalog?: Partial<Client<typeof CatalogService>>;
  wallet?: Partial<Client<typeof WalletService>>;
  payment?: Partial<Client<typeof PaymentService>>;
  booking?: Partial<Client<typeof BookingService>>;
  sellers?: Partial<Client<typeof SellersService>>;
  /** By process ("booking", "mailer", …). */
  deadLetters?: Partial<Record<string, Partial<Client<typeof DeadLetterService>>>>;
}

export interface BffOptions {
  /**
   * Access tokens identity answered in a pact (SignIn, Refresh), which the
   * BFF must accept as these principals: identity's signing keys are not
   * part of the contract, and the pact's example token signs nothing.
   */
  trusted?: Record<string, Principal>;
}

export interface Bff {
  url: string;
  /** What the in-memory fakes share: accounts, prices, trips, and the calls they got. */
  world: World;
  tokens: TestTokens;
  /** A browser that has been to the site: it holds GetSession's CSRF cookie. */
  visitor(): Promise<Browser>;
  /** A browser signed in as `customerId` (the BFF's session cookie, and the CSRF cookie). */
  signedIn(customerId: string, displayName?: string): Promise<Browser>;
  /** A browser signed in as a person with the operator role. */
  signedInOperator(customerId: string): Promise<Browser>;
}

/** Starts the BFF over `wired`, runs `use` with it, and stops it. */
export async function withBff<T>(wired: Wired, use: (bff: Bff) => Promise<T>, opts: BffOptions = {}): Promise<T> {
  const w = world();
  const tokens = await testTokens();
  const tracing = createTracing({ serviceName: "web-contract" });
  const identity = { ...localClient(IdentityService, fakeIdentity(w, tokens)), ...wired.identity };
  const service = webService({
    priceQuotes: quoteReader(),
    identity,
    search: { ...localClient(SearchService, fakeSearch(w)), ...wired.search },
    catalog: { ...localClient(CatalogService, fakeCatalog(w)), ...wired.catalog },
    wallet: { ...localClient(WalletService, fakeWallet(w)), ...wired.wallet },
    payment: { ...localClient(PaymentService, fakePayment(w)), ...wired.payment },
    booking: { ...localClient(BookingService, fakeBooking(w)), ...wired.booking },
    sellers: { ...localClient(SellersService, fakeSellers(w)), ...wired.sellers },
    deadLetters: Object.fromEntries(
      DEAD_LETTER_PROCESSES.map((p) => [p, { ...localClient(DeadLetterService, fakeDeadLetters(w, p)), ...wired.deadLetters?.[p] }]),
    ),
    servicePrincipal: () => tokens.service("web"),
    pageTokenSecret: "web-contract-page-tokens",
    settings: { publicUrl: PUBLIC_URL },
  });
  const server = await startWebServer({
    port: 0,
    log: silent,
    service,
    sessions: webSessions({
      verify: async (token) => opts.trusted?.[token] ?? (await tokens.authenticate(`Bearer ${token}`))!,
      // As main.ts refreshes: identity.Refresh, its tokens or an internal error.
      refresh: async (ctx, refreshToken) => {
        const { tokens: pair } = await identity.refresh(ctx, { refreshToken });
        if (!pair) throw internal("identity answered Refresh without tokens");
        return pair;
      },
      secure: false,
    }),
    registry: new Registry(),
    tracer: tracing.tracer,
    rateLimit: { ratePerSecond: 1000, burst: 1000 },
    allowedOrigins: [],
    trustProxy: false,
    dist: "/nonexistent/web/dist",
    gatewayOrigin: "http://127.0.0.1:7110",
  });
  const browserOf = async (customerId: string, displayName: string, token: (id: string) => Promise<Principal>) => {
    if (![...w.accounts.values()].some((a) => a.customerId === customerId)) {
      w.accounts.set(`${customerId}@example.test`, { password: "not used here", customerId, name: displayName });
    }
    const browser = new Browser(server.url);
    browser.cookies.set("itinera_session", (await token(customerId)).token!);
    browser.cookies.set("itinera_csrf", "csrf-token-of-this-browser");
    return browser;
  };
  const bff: Bff = {
    url: server.url,
    world: w,
    tokens,
    async visitor() {
      const browser = new Browser(server.url);
      await browser.call("GetSession");
      return browser;
    },
    signedIn: (customerId, displayName = "Ana Lima") => browserOf(customerId, displayName, tokens.customer),
    signedInOperator: (customerId) => browserOf(customerId, "Olivia Operator", tokens.operator),
  };
  try {
    return await use(bff);
  } finally {
    await server.close(2_000);
    await tracing.shutdown();
  }
}
