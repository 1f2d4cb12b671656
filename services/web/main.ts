// The web process: itinera.web.v1.WebService (the browser's API, the BFF) on
// WEB_PORT (8080), and the built web app (WEB_DIST, default web/dist) on the
// same port. No database: it composes identity (IDENTITY_URL), search
// (SEARCH_URL), catalog (CATALOG_URL), wallet (WALLET_URL), payment
// (PAYMENT_URL) and booking (BOOKING_URL), each over gRPC through the client
// stack; for the Operator page, sellers (SELLERS_URL) and the DeadLetterService
// of each process that consumes events (BOOKING_URL, PAYMENT_URL, MAILER_URL,
// PRICING_URL, SELLERS_URL), always with the signed-in person's own token. Sessions are cookies holding identity's tokens, verified locally
// with identity's keys; WEB_PUBLIC_URL (http://127.0.0.1:8080) is where the
// browser reaches it (cookies are Secure when it is https; the gateway sends
// the browser back to <WEB_PUBLIC_URL>/trips/return). WEB_RATE_PER_SEC (2)
// and WEB_RATE_BURST (10) limit each address and each customer;
// WEB_ALLOWED_ORIGINS (none) may call with credentials from another origin
// (the Vite dev server); WEB_TRUST_PROXY (false) takes the caller's address
// from X-Forwarded-For; GATEWAY_URL is the card gateway the pages may post to;
// SERVICE_SECRET gets the BFF its own token (identity.GetCustomer for names).
// Hotels' photos are served at /images/hotels/<id>/<n> from the sellers in
// WEB_IMAGE_ORIGINS (the sandbox's casa and wanderly on 7102 and 7103) only.
// The public port serves no /metrics and no gRPC reflection: /metrics is on
// WEB_ADMIN_PORT (on LISTEN_HOST, like the public port; unset: not served).
// It holds no quote secret: StartBooking reads the quotes for an early refusal
// and payment verifies them. My trips' page tokens are signed with
// WEB_PAGE_TOKEN_SECRET, which every instance must share.
import { fileURLToPath } from "node:url";
import { internal } from "../../endpoints/errors.js";
import type { PrincipalOf } from "../../endpoints/middleware/call-as.js";
import { clientStack } from "../../endpoints/stack.js";
import { BookingService } from "../../gen/itinera/booking/v1/booking_pb.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { bool, config, int, list, optionalPort, port, peerUrls, secret, str, url, urlList } from "../../platform/config.js";
import { quoteReader } from "../../platform/quotes.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { startWebServer } from "./server.js";
import { webService } from "./service.js";
import { webSessions } from "./session-transport.js";
import { hotelImages } from "./hotel-images.js";

const DEFAULT_DIST = fileURLToPath(new URL("../../web/dist", import.meta.url));

async function main() {
  const rt = startRuntime("web", process.env);
  const cfg = config(process.env, {
    port: port("WEB_PORT", 8080),
    publicUrl: url("WEB_PUBLIC_URL", "http://127.0.0.1:8080"),
    searchUrl: peerUrls("SEARCH_URL", "http://127.0.0.1:7005"),
    catalogUrl: peerUrls("CATALOG_URL", "http://127.0.0.1:7002"),
    walletUrl: peerUrls("WALLET_URL", "http://127.0.0.1:7004"),
    paymentUrl: peerUrls("PAYMENT_URL", "http://127.0.0.1:7006"),
    bookingUrl: peerUrls("BOOKING_URL", "http://127.0.0.1:7007"),
    sellersUrl: peerUrls("SELLERS_URL", "http://127.0.0.1:7008"),
    mailerUrl: peerUrls("MAILER_URL", "http://127.0.0.1:7009"),
    pricingUrl: peerUrls("PRICING_URL", "http://127.0.0.1:7003"),
    gatewayUrl: url("GATEWAY_URL", "http://127.0.0.1:7110"),
    ratePerSecond: int("WEB_RATE_PER_SEC", 2, { min: 1, max: 10_000 }),
    burst: int("WEB_RATE_BURST", 10, { min: 1, max: 100_000 }),
    allowedOrigins: list("WEB_ALLOWED_ORIGINS", []),
    trustProxy: bool("WEB_TRUST_PROXY", false),
    dist: str("WEB_DIST", DEFAULT_DIST),
    adminPort: optionalPort("WEB_ADMIN_PORT"),
    // The sellers whose hotels' photos we serve from our origin (the sandbox's hotel sellers on one machine).
    imageOrigins: urlList("WEB_IMAGE_ORIGINS", ["http://127.0.0.1:7102", "http://127.0.0.1:7103"]),
    pageTokenSecret: secret("WEB_PAGE_TOKEN_SECRET", "itinera-development-web-page-tokens"),
    ...identitySettings("web"),
  });

  const auth = identityAccess({ ...cfg, serviceName: "web", registry: rt.registry, tracer: rt.tracer, log: rt.log });
  // One client stack (one set of circuits) per peer; search answers within its own 1 s.
  // Wallet, payment and booking answer the signed-in customer their own data: the customer's token goes on.
  // Catalog serves the BFF as itself; search serves the signed-in customer (their markdown), else the BFF.
  const stackFor = (timeoutMs: number, callAs?: PrincipalOf) => clientStack({ registry: rt.registry, tracer: rt.tracer, timeoutMs, callAs });
  const customerElseService: PrincipalOf = async (ctx) => (ctx.principal?.kind === "customer" ? ctx.principal : auth.servicePrincipal(ctx));
  const stacks = {
    search: stackFor(2_000, customerElseService),
    catalog: stackFor(2_000, auth.servicePrincipal),
    wallet: stackFor(2_000),
    payment: stackFor(5_000),
    booking: stackFor(5_000),
    // The Operator page's calls: the person's token goes on (no callAs), so only an operator's call passes.
    operator: stackFor(5_000),
  };
  const deadLettersAt = (baseUrl: string) => clientOf(DeadLetterService, grpcTransport(baseUrl, { log: rt.log }), ...stacks.operator.middlewares);
  const catalog = clientOf(CatalogService, grpcTransport(cfg.catalogUrl, { log: rt.log }), ...stacks.catalog.middlewares);
  const service = webService({
    identity: auth.identity,
    search: clientOf(SearchService, grpcTransport(cfg.searchUrl, { log: rt.log }), ...stacks.search.middlewares),
    catalog,
    wallet: clientOf(WalletService, grpcTransport(cfg.walletUrl, { log: rt.log }), ...stacks.wallet.middlewares),
    payment: clientOf(PaymentService, grpcTransport(cfg.paymentUrl, { log: rt.log }), ...stacks.payment.middlewares),
    booking: clientOf(BookingService, grpcTransport(cfg.bookingUrl, { log: rt.log }), ...stacks.booking.middlewares),
    sellers: clientOf(SellersService, grpcTransport(cfg.sellersUrl, { log: rt.log }), ...stacks.operator.middlewares),
    deadLetters: {
      booking: deadLettersAt(cfg.bookingUrl),
      mailer: deadLettersAt(cfg.mailerUrl),
      payment: deadLettersAt(cfg.paymentUrl),
      pricing: deadLettersAt(cfg.pricingUrl),
      sellers: deadLettersAt(cfg.sellersUrl),
    },
    servicePrincipal: auth.servicePrincipal,
    pageTokenSecret: cfg.pageTokenSecret,
    priceQuotes: quoteReader(),
    settings: { publicUrl: cfg.publicUrl },
  });

  const sessions = webSessions({
    verify: auth.verify,
    refresh: async (ctx, refreshToken) => {
      const { tokens } = await auth.identity.refresh(ctx, { refreshToken });
      if (!tokens) throw internal("identity answered Refresh without tokens");
      return tokens;
    },
    secure: new URL(cfg.publicUrl).protocol === "https:",
  });

  const server = await startWebServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    service,
    sessions,
    registry: rt.registry,
    tracer: rt.tracer,
    rateLimit: { ratePerSecond: cfg.ratePerSecond, burst: cfg.burst },
    allowedOrigins: cfg.allowedOrigins,
    trustProxy: cfg.trustProxy,
    dist: cfg.dist,
    images: hotelImages({ catalog, allowedOrigins: cfg.imageOrigins, log: rt.log }),
    gatewayOrigin: new URL(cfg.gatewayUrl).origin,
    ...(cfg.adminPort !== undefined ? { adminPort: cfg.adminPort } : {}),
  });
  rt.log.info({ port: server.port, public_url: cfg.publicUrl, dist: cfg.dist }, "web ready");

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "circuits", close: async () => [auth.stack, ...Object.values(stacks)].forEach((s) => s.breaker.close()) },
    { name: "tracing", close: rt.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a port in use: say why in one line, exit non-zero.
  console.error(`web failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
