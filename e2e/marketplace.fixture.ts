// Test support: the whole marketplace as the real processes `make start`
// runs (scripts/system.ts: the supervisor, which restarts a killed process),
// on a fresh test database, every port free, a small sandbox inventory, and
// the helpers a traveller's journey needs: sign up (and follow the link the
// SMTP sink received), find something to buy, pay at the gateway's card
// page, read the SMTP sink.
import { randomBytes } from "node:crypto";
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
import { testDatabase } from "../platform/testing.js";
import { dateOf, dayNumber, utcToday } from "../sandbox/calendar.js";
import { signUpLink } from "../scripts/demo.js";
import { startSystem, type RunningSystem } from "../scripts/system.js";
import { clientOf, grpcTransport } from "../transport/client.js";

const PORT_VARS = [
  "SKYLARK_PORT", "CASA_PORT", "WANDERLY_PORT", "GATEWAY_PORT", "SMTP_PORT", "SMTP_VIEW_PORT",
  "IDENTITY_PORT", "CATALOG_PORT", "PRICING_PORT", "WALLET_PORT", "SEARCH_PORT", "PAYMENT_PORT",
  "BOOKING_PORT", "SELLERS_PORT", "MAILER_PORT", "WEB_PORT",
] as const;

export const CARDS = {
  authorises: "4242 4242 4242 4242",
  declines: "4000 0000 0000 0002",
} as const;

export interface Marketplace {
  system: RunningSystem;
  /** The test database every service's schema lives in. */
  databaseUrl: string;
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
  /** A service principal from identity (the deployment's shared secret). */
  service(name: string): Promise<Principal>;
  /** A new customer: signed up through identity, its address confirmed with the link the SMTP sink received. */
  signUp(label: string): Promise<Customer>;
  /** The token of the newest sign-up link the SMTP sink received for `email` (waits for it). */
  verificationToken(email: string): Promise<string>;
  /** Gives a customer wallet money (as a service would: cashback, a voucher). */
  credit(customerId: string, amountMinor: bigint): Promise<void>;
  /** Hotel stays with a price, found through search (the way a traveller finds them). */
  findStays(customerId: string, count: number): Promise<Offer[]>;
  /** MakePayment, then the card page and its form, as the browser does; answers the payment id and where the gateway sent the browser. */
  pay(customer: Customer, offer: Offer, card: string, key?: string): Promise<{ paymentId: string; returnedTo: string }>;
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
  currency: string;
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

export async function startMarketplace(extraEnv: Record<string, string> = {}): Promise<Marketplace> {
  const database = await testDatabase();
  const ports = Object.fromEntries(await Promise.all(PORT_VARS.map(async (v) => [v, await freePort()]))) as Marketplace["ports"];
  const secret = randomBytes(16).toString("hex");
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    OTEL_EXPORTER_OTLP_ENDPOINT: "",
    LOG_LEVEL: process.env.E2E_LOG_LEVEL || "warn",
    DATABASE_URL: database.url,
    SANDBOX_CITIES: "3",
    SANDBOX_HOTELS_PER_CITY: "5",
    SANDBOX_DAYS: "20",
    SANDBOX_PAIRS: "3",
    PUSH_INTERVAL_MS: "0",
    SERVICE_SECRET: `service-${secret}`,
    GATEWAY_SECRET: `gateway-${secret}`,
    SELLERS_WEBHOOK_SECRET: `webhook-${secret}`,
    WEBHOOK_SECRET: `webhook-${secret}`,
    ...Object.fromEntries(Object.entries(ports).map(([k, v]) => [k, String(v)])),
    // Where the browser reaches the web service (the gateway sends it back there).
    WEB_PUBLIC_URL: `http://127.0.0.1:${ports.WEB_PORT}`,
    ...extraEnv,
  };
  const log = pino({ level: "silent" });
  const say = process.env.E2E_LOG_LEVEL ? (line: string) => process.stderr.write(`[system] ${line}\n`) : () => {};
  let system: RunningSystem;
  try {
    system = await startSystem({ env, dataDir: "", pgPort: 0, say, stdio: process.env.E2E_LOG_LEVEL ? "inherit" : "ignore", readyTimeoutMs: 90_000 });
  } catch (e) {
    await database.drop();
    throw e;
  }
  const client = <S extends Parameters<typeof clientOf>[0]>(desc: S, name: string) => clientOf(desc, grpcTransport(system.url(name)));
  const clients = {
    identity: client(IdentityService, "identity"),
    wallet: client(WalletService, "wallet"),
    search: client(SearchService, "search"),
    payment: client(PaymentService, "payment"),
    booking: client(BookingService, "booking"),
    mailer: client(MailerService, "mailer"),
  };
  const ctx = (principal?: Principal, timeoutMs = 10_000) =>
    backgroundContext({ log, deadline: Date.now() + timeoutMs, ...(principal ? { principal } : {}) });
  const service = async (name: string): Promise<Principal> => {
    const res = await clients.identity.issueServiceToken(ctx(), { serviceName: name, secret: env.SERVICE_SECRET! });
    return { kind: "service", id: name, roles: [], token: res.accessToken };
  };
  const tester = await service("e2e");
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
    ports,
    clients,
    ctx,
    service,
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
    async findStays(customerId, count) {
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
              .searchHotels(ctx(undefined, 5000), {
                query: { query: "Lisbon", checkIn: { year: y1, month: m1, day: d1 }, checkOut: { year: y2, month: m2, day: d2 }, customerId, pageSize: 20 },
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
                  currency: p.price.currency,
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
    async pay(customer, offer, card, key) {
      const made = await clients.payment.makePayment(ctx(customer.principal), {
        idempotencyKey: key ?? `e2e-${randomBytes(8).toString("hex")}`,
        item: offer.item,
        amount: { amountMinor: offer.priceMinor, currency: offer.currency },
        markdown: { amountMinor: offer.markdownMinor, currency: offer.currency },
        returnUrl: "http://127.0.0.1:9/trips/return",
      });
      const paymentId = made.payment!.paymentId;
      const page = await fetch(made.redirectUrl);
      if (page.status !== 200) throw new Error(`card page ${made.redirectUrl}: ${page.status}`);
      const form = await fetch(made.redirectUrl, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({ card_number: card, expiry: "12/30", cvc: "123", name: "E2E Traveller" }).toString(),
        redirect: "manual",
      });
      return { paymentId, returnedTo: form.headers.get("location") ?? `(status ${form.status})` };
    },
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
      }
    },
  };
}
