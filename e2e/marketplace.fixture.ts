// Test support: the whole marketplace as the real processes `make start`
// runs (scripts/system.ts: the supervisor, which restarts a killed process),
// on a fresh test database, every port free, a small sandbox inventory, and
// the helpers a traveller's journey needs: sign up (and follow the link the
// SMTP sink received), find something to buy, pay at the gateway's card
// page, read the SMTP sink. The event bus runs on either engine (`bus`), and
// `busSettled` waits for it to be idle on either.
import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { create } from "@bufbuild/protobuf";
import { pino } from "pino";
import { backgroundContext, type Context, type Principal } from "../endpoints/context.js";
import type { Client } from "../endpoints/service.js";
import { BookingService, ReservationState, type Reservation } from "../gen/itinera/booking/v1/booking_pb.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { MailerService } from "../gen/itinera/mailer/v1/mailer_pb.js";
import { PaymentService } from "../gen/itinera/payment/v1/payment_pb.js";
import { SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { ItemSchema, type Item } from "../gen/itinera/type/v1/item_pb.js";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { freePort, until } from "../platform/processes.testing.js";
import { testQuote } from "../platform/quotes.testing.js";
import { embeddedUrl } from "../platform/embedded-postgres.js";
import { testDatabase } from "../platform/testing.js";
import { dateOf, dayNumber, utcToday } from "../sandbox/calendar.js";
import { signUpLink } from "../scripts/demo.js";
import { serviceSecretVariable, startSystem, type RunningSystem, type SystemOptions } from "../scripts/system.js";
import { credentialsOf, DEVELOPMENT_SERVICE_NAMES } from "../services/identity/service-credentials.js";
import { clientOf, grpcTransport } from "../transport/client.js";
import type { SettleOptions } from "../transport/bus/quiescence.testing.js";
import { publishedOn, untilBusSettledOn, type BusAt, type BusEngine } from "./bus.fixture.js";
import { E2E_BUDGETS } from "./readside.fixture.js";

const PORT_VARS = [
  "SKYLARK_PORT", "CASA_PORT", "WANDERLY_PORT", "GATEWAY_PORT", "SMTP_PORT", "SMTP_VIEW_PORT",
  "IDENTITY_PORT", "CATALOG_PORT", "PRICING_PORT", "WALLET_PORT", "SEARCH_PORT", "PAYMENT_PORT",
  "BOOKING_PORT", "SELLERS_PORT", "MAILER_PORT", "WEB_PORT",
] as const;

/** Who has a credential at identity in the test marketplace: every service, the demo, and the tests themselves. */
const CALLERS = [...DEVELOPMENT_SERVICE_NAMES, "e2e"];

export const CARDS = {
  authorises: "4242 4242 4242 4242",
  declines: "4000 0000 0000 0002",
} as const;

export interface Marketplace {
  system: RunningSystem;
  /** The database every service's schema lives in (on the test run's shared server, or the system's own: ownPostgres). */
  databaseUrl: string;
  /** The event bus's engine the services run on. */
  bus: BusEngine;
  /** Waits until every consumer group has handled every event published so far (nothing pending, in flight or waiting for a retry), on either engine. */
  busSettled(opts?: SettleOptions): Promise<void>;
  /** Events published on the bus so far (on NATS: relayed to JetStream). */
  busPublished(): Promise<number>;
  /** The environment every process was started with (its secrets included). */
  env: NodeJS.ProcessEnv;
  ports: Record<(typeof PORT_VARS)[number], number>;
  clients: {
    identity: Client<typeof IdentityService>;
    wallet: Client<typeof WalletService>;
    search: Client<typeof SearchService>;
    payment: Client<typeof PaymentService>;
    booking: Client<typeof BookingService>;
    mailer: Client<typeof MailerService>;
  };
  /** A context acting as `principal` (or as nobody). */
  ctx(principal?: Principal, timeoutMs?: number): Context;
  /** A service principal from identity, with that service's own credential (every service's, "operator" and "e2e"). */
  service(name: string): Promise<Principal>;
  /** The deployment's secrets, as its operator holds them: each caller's credential, wanderly's webhook key. */
  secrets: { service(name: string): string; wanderlyWebhookKey: string };
  /** A new customer: signed up through identity, its address confirmed with the link the SMTP sink received. */
  signUp(label: string): Promise<Customer>;
  /** The token of the newest sign-up link the SMTP sink received for `email` (waits for it). */
  verificationToken(email: string): Promise<string>;
  /** Gives a customer wallet money (as a service would: cashback, a voucher). */
  credit(customerId: string, amountMinor: bigint): Promise<void>;
  /**
   * Hotel stays with a price, found through search (the way a traveller finds
   * them): for a customer, with their markdown and the quote search signed
   * for them; for nobody, list prices without quotes.
   */
  findStays(customer: Customer | undefined, count: number): Promise<Offer[]>;
  /**
   * MakePayment with the offer's quote, then the card page and its form, as
   * the browser does; answers the payment id and where the gateway sent the
   * browser. An offer without a quote (a test that chose its own markdown) is
   * quoted here with the deployment's development secret, as search would sign it.
   */
  pay(customer: Customer, offer: Offer, card: string, key?: string, opts?: { flexible?: boolean }): Promise<{ paymentId: string; returnedTo: string }>;
  /** The gateway's card page and its form, as the browser fills them in; answers where the gateway sent the browser. */
  payAtGateway(redirectUrl: string, card: string): Promise<string>;
  /** Where the browser reaches the BFF (the web app and its API). */
  webUrl: string;
  /** Polls the customer's reservation of a payment until `done` says so. */
  reservationOf(customer: Customer, paymentId: string, done: (r: Reservation) => boolean, timeoutMs?: number): Promise<Reservation>;
  /** Every delivery the SMTP sink received. */
  inbox(): Promise<SinkMessage[]>;
  /** The gateway's ledger: one row per session. */
  ledger(): Promise<LedgerRow[]>;
  /** A sandbox seller's admin API. */
  sellerAdmin(seller: "casa" | "skylark" | "wanderly", path: string, body?: unknown): Promise<unknown>;
  close(): Promise<void>;
}

export interface Customer {
  customerId: string;
  email: string;
  principal: Principal;
}

export interface Offer {
  item: Item;
  listedMinor: bigint;
  markdownMinor: bigint;
  priceMinor: bigint;
  /** What the flexible option adds. */
  flexibleMinor: bigint;
  currency: string;
  /** Search's signed quote of this price for the customer who searched; undefined for a visitor's or a changed offer. */
  quote?: string;
}

export interface SinkMessage {
  id: string;
  message_id: string;
  to: string[];
  subject: string;
  text: string;
}

export interface LedgerRow {
  session_id: string;
  merchant_ref: string;
  status: string;
  charges: number;
  refunded_minor: number;
  refunds: number;
}

export const FINAL_STATES = [ReservationState.CONFIRMED, ReservationState.FAILED];

export interface MarketplaceOptions {
  /**
   * The system starts, owns and restarts an embedded PostgreSQL of its own (on
   * a fresh data directory and a free port), as `make start` does, instead of
   * using a database on the test run's shared server: for a test that kills
   * PostgreSQL (m.system.postgres.kill).
   */
  ownPostgres?: boolean;
  /** Hears what the supervisor says about the system (restarts included). */
  onSay?: (line: string) => void;
  /** Where the processes' output goes (default: nowhere, or this terminal when E2E_LOG_LEVEL is set). */
  stdio?: SystemOptions["stdio"];
  /**
   * The event bus's engine (BUS); default PostgreSQL. "nats" without
   * `natsUrl`: the supervisor starts and keeps up a JetStream server of its
   * own (fresh store, free port), as `make start BUS=nats` does
   * (m.system.nats.kill for a test that kills it).
   */
  bus?: BusEngine;
  /** An external JetStream server or cluster (NATS_URL, comma-separated; NATS_REPLICAS in the env for a cluster) for bus "nats". */
  natsUrl?: string;
  /**
   * The processes to start, by name (scripts/system.ts; default every one): a
   * test of a few services starts those and what they call alone. Identity
   * must be among them (the fixture takes its tokens there).
   */
  only?: readonly string[];
  /**
   * Processes of every internal service (ITINERA_REPLICAS), each replica on a
   * free port of its own (<SERVICE>_PORT_k); the marketplace's clients call
   * every replica of their service. Default 1.
   */
  replicas?: number;
}

/** The port variables of the services the supervisor replicates (scripts/system.ts `replicated`). */
const REPLICATED_PORT_VARS = PORT_VARS.filter((v) => !["SKYLARK_PORT", "CASA_PORT", "WANDERLY_PORT", "GATEWAY_PORT", "SMTP_PORT", "SMTP_VIEW_PORT", "WEB_PORT"].includes(v));

/** ITINERA_REPLICAS and a free port for each replica beyond the first. */
async function replicaPorts(replicas: number): Promise<Record<string, string>> {
  if (replicas <= 1) return {};
  const ports: Record<string, string> = { ITINERA_REPLICAS: String(replicas) };
  for (const v of REPLICATED_PORT_VARS) for (let k = 2; k <= replicas; k++) ports[`${v}_${k}`] = String(await freePort());
  return ports;
}

/** The JetStream server's store and port when the system starts its own, and how to remove the store. */
async function natsFor(opts: MarketplaceOptions): Promise<{ system?: SystemOptions["nats"]; drop(): Promise<void> }> {
  if (opts.bus !== "nats" || opts.natsUrl) return { drop: async () => {} };
  const dir = await mkdtemp(join(tmpdir(), "itinera-e2e-nats-"));
  return { system: { storeDir: join(dir, "nats"), port: await freePort() }, drop: () => rm(dir, { recursive: true, force: true }) };
}

/** Where the system keeps its data: a fresh database on the shared test server, or a server of its own (ownPostgres). */
async function storageFor(opts: MarketplaceOptions): Promise<{ url: string; system: { dataDir: string; pgPort: number }; drop(): Promise<void> }> {
  if (!opts.ownPostgres) {
    const database = await testDatabase();
    return { url: database.url, system: { dataDir: "", pgPort: 0 }, drop: database.drop };
  }
  const dir = await mkdtemp(join(tmpdir(), "itinera-e2e-pg-"));
  const pgPort = await freePort();
  return { url: embeddedUrl(pgPort), system: { dataDir: join(dir, "pg"), pgPort }, drop: () => rm(dir, { recursive: true, force: true }) };
}

export async function startMarketplace(extraEnv: Record<string, string> = {}, opts: MarketplaceOptions = {}): Promise<Marketplace> {
  const database = await storageFor(opts);
  const nats = await natsFor(opts);
  const engine = opts.bus ?? "postgres";
  const ports = Object.fromEntries(await Promise.all(PORT_VARS.map(async (v) => [v, await freePort()]))) as Marketplace["ports"];
  const secret = randomBytes(16).toString("hex");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: "",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL || "warn",
    // Unset, the supervisor starts the embedded PostgreSQL (ownPostgres).
    DATABASE_URL: opts.ownPostgres ? undefined : database.url,
    BUS: engine,
    // Unset with bus "nats", the supervisor starts a JetStream server of its own.
    NATS_URL: opts.natsUrl,
    SANDBOX_CITIES: "3",
    SANDBOX_HOTELS_PER_CITY: "5",
    SANDBOX_DAYS: "20",
    SANDBOX_PAIRS: "3",
    PUSH_INTERVAL_MS: "0",
    // Each caller its own credential: <NAME>_SERVICE_SECRET, and identity's SERVICE_CREDENTIALS from them (below).
    ...Object.fromEntries(CALLERS.map((name) => [serviceSecretVariable(name), `service-${name}-${secret}`])),
    GATEWAY_SECRET: `gateway-${secret}`,
    SELLERS_WEBHOOK_KEYS: `wanderly:webhook-${secret}`,
    // The sandbox seller signs with its key at sellers.
    WEBHOOK_SECRET: `webhook-${secret}`,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    // Where the browser reaches the web service (the gateway sends it back there).
    WEB_PUBLIC_URL: `http://127.0.0.1:${ports.WEB_PORT}`,
    // Search's budgets as the read-side tests run them: its 1 s deadline as in production, but more of
    // it for each dependency than the production defaults, so that two loaded cores shared with another
    // test file do not degrade answers a test expects complete (a missed 300 ms catalog budget failed
    // the access matrix once, a missed 150 ms wallet budget the browser test). Degradation has its own tests.
    SEARCH_CATALOG_MS: String(E2E_BUDGETS.catalogMs),
    SEARCH_PRICING_MS: String(E2E_BUDGETS.pricingMs),
    SEARCH_WALLET_MS: String(E2E_BUDGETS.walletMs),
    SEARCH_TOTAL_MS: String(E2E_BUDGETS.totalMs),
    SEARCH_RESERVE_MS: String(E2E_BUDGETS.reserveMs),
    SEARCH_LIVE_RESERVE_MS: String(E2E_BUDGETS.liveReserveMs),
    ...(await replicaPorts(opts.replicas ?? 1)),
    ...extraEnv,
  };
  const secretOf = (name: string) => env[serviceSecretVariable(name)] ?? "";
  env.SERVICE_CREDENTIALS ??= [...credentialsOf(CALLERS, secretOf)].map(([name, digest]) => `${name}:${digest}`).join(",");
  const log = pino({ level: "silent" });
  const say = (line: string) => {
    opts.onSay?.(line);
    if (process.env.E2E_LOG_LEVEL) process.stderr.write(`[system] ${line}\n`);
  };
  let system: RunningSystem;
  try {
    system = await startSystem({
      env,
      ...database.system,
      ...(nats.system ? { nats: nats.system } : {}),
      say,
      stdio: opts.stdio ?? (process.env.E2E_LOG_LEVEL ? "inherit" : "ignore"),
      readyTimeoutMs: 90_000,
      ...(opts.only ? { only: opts.only } : {}),
    });
  } catch (e) {
    await database.drop();
    await nats.drop();
    throw e;
  }
  const busAt: BusAt = { databaseUrl: database.url, natsUrl: opts.natsUrl ?? system.nats?.url };
  // Every replica of a service the system started; a process left out by `only` keeps its one port and refuses the connection when called.
  const client = <S extends Parameters<typeof clientOf>[0]>(desc: S, name: string, port: number) => {
    const replicas = system.replicasOf(name);
    return clientOf(desc, grpcTransport(replicas.length > 0 ? replicas.map(system.url).join(",") : `http://127.0.0.1:${port}`));
  };
  const clients = {
    identity: client(IdentityService, "identity", ports.IDENTITY_PORT),
    wallet: client(WalletService, "wallet", ports.WALLET_PORT),
    search: client(SearchService, "search", ports.SEARCH_PORT),
    payment: client(PaymentService, "payment", ports.PAYMENT_PORT),
    booking: client(BookingService, "booking", ports.BOOKING_PORT),
    mailer: client(MailerService, "mailer", ports.MAILER_PORT),
  };
  const ctx = (principal?: Principal, timeoutMs = 10_000) =>
    backgroundContext({ log, deadline: Date.now() + timeoutMs, ...(principal ? { principal } : {}) });
  const service = async (name: string): Promise<Principal> => {
    if (!CALLERS.includes(name)) throw new Error(`the marketplace has no credential for "${name}"; it has ${CALLERS.join(", ")}`);
    const res = await clients.identity.issueServiceToken(ctx(), { serviceName: name, secret: secretOf(name) });
    return { kind: "service", id: name, roles: [], token: res.accessToken };
  };
  // The tests act as the people's tools do ("operator": credits, e-mails) and search as the BFF does ("web").
  const tester = await service("operator");
  const asWeb = await service("web");
  const json = async (url: string, init?: RequestInit) => {
    const res = await fetch(url, init);
    if (!res.ok) throw new Error(`${init?.method ?? "GET"} ${url}: ${res.status} ${await res.text()}`);
    return res.json() as Promise<unknown>;
  };
  const sandboxUrl = (name: string) => system.url(name);
  const verificationToken = (email: string) => signUpLink(sandboxUrl("smtp"), email, 30_000);

  return {
    system,
    databaseUrl: database.url,
    bus: engine,
    busSettled: (settle) => untilBusSettledOn(engine, busAt, settle),
    busPublished: () => publishedOn(engine, busAt),
    env,
    ports,
    clients,
    ctx,
    service,
    secrets: { service: secretOf, wanderlyWebhookKey: env.WEBHOOK_SECRET! },
    verificationToken,
    async signUp(label) {
      const email = `${label}.${randomBytes(4).toString("hex")}@example.com`;
      await clients.identity.signUp(ctx(), { email, password: "correct horse battery", displayName: label });
      const res = await clients.identity.verifyEmail(ctx(), { token: await verificationToken(email) });
      return {
        customerId: res.customerId,
        email,
        principal: { kind: "customer", id: res.customerId, roles: [], token: res.tokens!.accessToken },
      };
    },
    async credit(customerId, amountMinor) {
      await clients.wallet.credit(ctx(tester), {
        idempotencyKey: `e2e-credit-${randomBytes(8).toString("hex")}`,
        customerId,
        amount: { amountMinor, currency: "EUR" },
        reference: "welcome voucher",
        reason: CreditReason.PROMOTION,
      });
    },
    async findStays(customer, count) {
      // Search is what a traveller sees; the sellers ingest at start, so wait until stays have prices.
      const offers = await until(
        "priced hotel stays",
        async () => {
          const found: Offer[] = [];
          for (let day = 3; day < 15 && found.length < count; day += 2) {
            const today = dayNumber(utcToday())!;
            const checkIn = dateOf(today + day);
            const checkOut = dateOf(today + day + 2);
            const [y1, m1, d1] = checkIn.split("-").map(Number) as [number, number, number];
            const [y2, m2, d2] = checkOut.split("-").map(Number) as [number, number, number];
            const res = await clients.search
              .searchHotels(ctx(customer?.principal ?? asWeb, 5000), {
                query: { query: "Lisbon", checkIn: { year: y1, month: m1, day: d1 }, checkOut: { year: y2, month: m2, day: d2 }, pageSize: 20 },
              })
              .catch(() => undefined);
            for (const hotel of res?.results?.hotels ?? []) {
              for (const room of hotel.rooms) {
                const p = room.price;
                if (!p?.price || !p.listed || p.price.amountMinor <= 0n || found.length >= count) continue;
                found.push({
                  item: create(ItemSchema, {
                    sellerId: p.sellerId,
                    title: `${hotel.name} — ${room.name}, 2 nights`,
                    kind: {
                      case: "hotelStay",
                      value: { hotelId: hotel.hotelId, roomId: room.roomId, checkIn: { year: y1, month: m1, day: d1 }, checkOut: { year: y2, month: m2, day: d2 }, starRating: hotel.starRating },
                    },
                  }),
                  listedMinor: p.listed.amountMinor,
                  markdownMinor: p.markdown?.amountMinor ?? 0n,
                  priceMinor: p.price.amountMinor,
                  flexibleMinor: p.flexible?.amountMinor ?? 0n,
                  currency: p.price.currency,
                  ...(p.quote ? { quote: p.quote } : {}),
                });
              }
            }
          }
          return found.length >= count ? found : undefined;
        },
        120_000,
      );
      return offers;
    },
    async pay(customer, offer, card, key, opts = {}) {
      const made = await clients.payment.makePayment(ctx(customer.principal), {
        idempotencyKey: key ?? `e2e-${randomBytes(8).toString("hex")}`,
        quotes: [offer.quote ?? testQuote(customer.customerId, offer.item, offer.priceMinor, offer.markdownMinor)],
        flexible: opts.flexible ?? false,
        returnUrl: `${env.WEB_PUBLIC_URL}/trips/return`,
      });
      return { paymentId: made.payment!.paymentId, returnedTo: await payAtGateway(made.redirectUrl, card) };
    },
    payAtGateway,
    webUrl: env.WEB_PUBLIC_URL!,
    async reservationOf(customer, paymentId, done, timeoutMs = 60_000) {
      return until(
        `a reservation of payment ${paymentId} in the awaited state`,
        async () => {
          const res = await clients.booking.listReservations(ctx(customer.principal), { pageSize: 100 }).catch(() => undefined);
          const r = res?.reservations.find((x) => x.paymentId === paymentId);
          return r && done(r) ? r : undefined;
        },
        timeoutMs,
      );
    },
    inbox: async () => (await json(`${sandboxUrl("smtp")}/api/messages`)) as SinkMessage[],
    ledger: async () => (await json(`${sandboxUrl("gateway")}/admin/ledger`)) as LedgerRow[],
    sellerAdmin: (seller, path, body) =>
      json(`${sandboxUrl(seller)}${path}`, body === undefined ? undefined : { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify(body) }),
    async close() {
      try {
        await system.stop();
      } finally {
        await database.drop();
        await nats.drop();
      }
    },
  };
}

/** The gateway's card page and its form, as a browser fills them in: answers where the gateway sent the browser. */
async function payAtGateway(redirectUrl: string, card: string): Promise<string> {
  const page = await fetch(redirectUrl);
  if (page.status !== 200) throw new Error(`card page ${redirectUrl}: ${page.status}`);
  const form = await fetch(redirectUrl, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ card_number: card, expiry: "12/30", cvc: "123", name: "E2E Traveller" }).toString(),
    redirect: "manual",
  });
  return form.headers.get("location") ?? `(status ${form.status})`;
}
