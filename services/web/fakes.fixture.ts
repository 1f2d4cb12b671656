// Test stand-ins for the services the web BFF composes: plain Service objects
// keeping the promises the BFF relies on — identity's single-use refresh
// tokens and services-only GetCustomer; payment and booking answering a
// customer only their own (NOT_FOUND otherwise, by the principal of the call);
// search with one hotel and one return route. Each records what it was asked
// and with which principal. Not used by production code.
import { create } from "@bufbuild/protobuf";
import type { Principal } from "../../endpoints/context.js";
import { failedPrecondition, invalidArgument, notFound, permissionDenied, unauthenticated, unavailable } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import { ReservationSchema, ReservationState, type BookingService, type Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import type { DeadLetter, DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import type { CatalogService } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import type { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { PaymentSchema, PaymentState, type Payment, type PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import { PriceStatus, type SearchService } from "../../gen/itinera/search/v1/search_pb.js";
import { FeedKind, type SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import type { Date as DateMessage } from "../../gen/itinera/type/v1/date_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { MoneySchema } from "../../gen/itinera/type/v1/money_pb.js";
import type { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { testPriceQuotes, testQuote } from "../../platform/quotes.testing.js";
import type { TestTokens } from "../identity/testing.js";
import { flexiblePrice, walletMarkdown } from "../../platform/money.js";
import type { QuoteInit } from "../../platform/quotes.js";

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const day = (year: number, month: number, d: number) => ({ year, month, day: d });
export const CHECK_IN = day(2030, 6, 10);
export const CHECK_OUT = day(2030, 6, 13);

export interface Recorded {
  method: string;
  principal: Principal | undefined;
  request: unknown;
}

/** What the fakes share with the test, which changes it between calls. */
export interface World {
  calls: Recorded[];
  /** Seconds the access tokens identity issues stay valid (negative: already expired). */
  accessTtlSeconds: number;
  /** identity.Refresh calls made. */
  refreshes: number;
  /** While true, identity's SignOut answers UNAVAILABLE. */
  identityDown: boolean;
  /** The room's price now (what search answers). */
  roomPrice: { listed: bigint; markdown: bigint };
  walletAvailable: bigint;
  payments: Map<string, Payment>;
  reservations: Map<string, Reservation>;
  /** Run one each, in order, before payment answers a GetPayment (the saga moving on). */
  beforeLook: (() => void)[];
  /** The newest sign-up link identity "e-mailed", by address (the address is not an account until it is followed). */
  links: Map<string, string>;
  /** Sign-ups waiting for their link to be followed, by link token (a state may add one directly). */
  signUps: Map<string, { email: string; password: string; customerId: string; name: string }>;
  /** identity's accounts by e-mail address (a test may add one directly). */
  accounts: Map<string, { password: string; customerId: string; name: string }>;
  /** Each consuming process's dead letters, oldest failure first (DeadLetterService fakes). */
  deadLetters: Map<string, DeadLetter[]>;
  /** Customer ids whose tokens carry the operator role. */
  operators: Set<string>;
  /** Processes whose DeadLetterService answers UNAVAILABLE. */
  deadLetterProcessesDown: Set<string>;
}

export function world(): World {
  return {
    calls: [],
    accessTtlSeconds: 900,
    refreshes: 0,
    identityDown: false,
    roomPrice: { listed: 50_000n, markdown: 10_000n },
    walletAvailable: 10_000n,
    payments: new Map(),
    reservations: new Map(),
    accounts: new Map(),
    links: new Map(),
    signUps: new Map(),
    beforeLook: [],
    deadLetters: new Map(),
    deadLetterProcessesDown: new Set(),
    operators: new Set(),
  };
}

/** The processes whose DeadLetterService the BFF reads, as main.ts wires them. */
export const DEAD_LETTER_PROCESSES = ["booking", "mailer", "payment", "pricing", "sellers"] as const;

/** sellers' ListSellers: one healthy hotel seller and one airline whose breaker is open. */
export function fakeSellers(w: World): Service<typeof SellersService> {
  const no = async (): Promise<never> => {
    throw permissionDenied("not in this fake");
  };
  return {
    quoteFlights: no,
    quoteHotelStay: no,
    syncSeller: no,
    receivePush: no,
    async listSellers(ctx) {
      w.calls.push({ method: "sellers.ListSellers", principal: ctx.principal, request: {} });
      const at = { seconds: 1_800_000_000n, nanos: 0 };
      return {
        sellers: [
          { sellerId: "casa", name: "Casa", feed: FeedKind.PULL, breakerState: "closed", searches: 12n, lookToBook: 12, lastSync: { time: at, ok: true } },
          {
            sellerId: "skylark",
            name: "Skylark",
            feed: FeedKind.PULL,
            breakerState: "open",
            searches: 5n,
            lookToBook: 5,
            recentErrors: [{ time: at, operation: "quote", message: "skylark answered 500" }],
            lastSync: { time: at, ok: false, error: "skylark answered 500" },
          },
        ],
      };
    },
  };
}

/** One process's DeadLetterService over `w.deadLetters`: replay and discard remove the letter; a second answers NOT_FOUND. */
export function fakeDeadLetters(w: World, process: string): Service<typeof DeadLetterService> {
  const take = (method: string, principal: Principal | undefined, group: string, messageId: bigint) => {
    w.calls.push({ method: `${process}.${method}`, principal, request: { group, messageId } });
    const letters = w.deadLetters.get(process) ?? [];
    const i = letters.findIndex((d) => d.group === group && d.messageId === messageId);
    if (i < 0) throw notFound(`group "${group}" has no dead letter with message id ${messageId}`);
    letters.splice(i, 1);
    return {};
  };
  return {
    async listDeadLetters(ctx, req) {
      w.calls.push({ method: `${process}.ListDeadLetters`, principal: ctx.principal, request: req });
      if (w.deadLetterProcessesDown.has(process)) throw unavailable(`${process} is down in this test`);
      const letters = w.deadLetters.get(process) ?? [];
      return { deadLetters: letters.slice(0, req.limit), groups: [...new Set(letters.map((d) => d.group))] };
    },
    replayDeadLetter: async (ctx, req) => take("ReplayDeadLetter", ctx.principal, req.group, req.messageId),
    discardDeadLetter: async (ctx, req) => take("DiscardDeadLetter", ctx.principal, req.group, req.messageId),
  };
}

export function fakeIdentity(w: World, tokens: TestTokens): Service<typeof IdentityService> {
  const accounts = w.accounts;
  const refreshTokens = new Map<string, string>(); // token → customer id, removed when used
  let n = 0;
  const pair = async (customerId: string) => {
    const refreshToken = `rt-${++n}-${customerId}`;
    refreshTokens.set(refreshToken, customerId);
    const access = (await (w.operators.has(customerId) ? tokens.operator : tokens.customer)(customerId, w.accessTtlSeconds)).token!;
    return { accessToken: access, accessExpiresInSeconds: Math.max(0, w.accessTtlSeconds), refreshToken, refreshExpiresInSeconds: 2_592_000 };
  };
  return {
    async signUp(ctx, req) {
      w.calls.push({ method: "identity.SignUp", principal: ctx.principal, request: { email: req.email, displayName: req.displayName } });
      if (accounts.has(req.email)) return {};
      const token = `link-${++n}`;
      w.links.set(req.email, token);
      w.signUps.set(token, { email: req.email, password: req.password, customerId: `cus_${req.displayName.toLowerCase()}`, name: req.displayName });
      return {};
    },
    async verifyEmail(_ctx, req) {
      const p = w.signUps.get(req.token);
      if (!p || accounts.has(p.email)) throw unauthenticated("this link is unknown, already used or expired");
      w.signUps.delete(req.token);
      accounts.set(p.email, { password: p.password, customerId: p.customerId, name: p.name });
      return { customerId: p.customerId, tokens: await pair(p.customerId) };
    },
    async signIn(ctx, req) {
      w.calls.push({ method: "identity.SignIn", principal: ctx.principal, request: { email: req.email, clientAddress: req.clientAddress } });
      const a = accounts.get(req.email);
      if (!a || a.password !== req.password) throw unauthenticated("the e-mail address or the password is wrong");
      return { customerId: a.customerId, tokens: await pair(a.customerId) };
    },
    async refresh(_ctx, req) {
      w.refreshes++;
      const customerId = refreshTokens.get(req.refreshToken);
      if (!customerId) throw unauthenticated("the refresh token is unknown, expired or already used");
      refreshTokens.delete(req.refreshToken);
      return { customerId, tokens: await pair(customerId) };
    },
    async signOut(ctx, req) {
      w.calls.push({ method: "identity.SignOut", principal: ctx.principal, request: req });
      if (w.identityDown) throw unavailable("identity is down in this test");
      refreshTokens.delete(req.refreshToken);
      return {};
    },
    async getJwks() {
      return { jwksJson: "{}", keyIds: [] };
    },
    async issueServiceToken() {
      throw unauthenticated("not in this fake");
    },
    async grantOperatorRole() {
      throw unauthenticated("not in this fake: the BFF never grants roles");
    },
    async getCustomer(ctx, req) {
      w.calls.push({ method: "identity.GetCustomer", principal: ctx.principal, request: req });
      if (ctx.principal?.kind !== "service") throw permissionDenied("GetCustomer may be called by the services web, mailer, not by a customer");
      const a = [...accounts.values()].find((x) => x.customerId === req.customerId);
      if (!a) throw notFound(`customer ${req.customerId} does not exist`);
      return { customerId: a.customerId, email: "hidden@example.test", displayName: a.name };
    },
  };
}

const HOTEL = {
  hotelId: "h-aurora",
  name: "Hotel Aurora",
  cityId: "lisbon-pt",
  cityName: "Lisbon",
  countryCode: "PT",
  countryName: "Portugal",
  starRating: 4,
  imageUrls: ["https://img.example.test/aurora/1.jpg"],
  rooms: [{ roomId: "DBL", name: "Double room", maxOccupancy: 2 }],
};

export function fakeCatalog(w: World): Service<typeof CatalogService> {
  const airports = [
    { code: "MAD", name: "Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" },
    { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" },
    { code: "OPO", name: "Francisco Sá Carneiro", cityId: "porto-pt", cityName: "Porto", countryCode: "PT", timeZone: "Europe/Lisbon" },
  ];
  const unused = async (): Promise<never> => {
    throw permissionDenied("not used by the BFF");
  };
  return {
    upsertHotels: unused,
    upsertFlights: unused,
    listFlights: unused,
    async searchHotels(ctx, req) {
      w.calls.push({ method: "catalog.SearchHotels", principal: ctx.principal, request: req });
      const other = { ...HOTEL, hotelId: "h-lisboa", name: "Lisboa Palace" };
      const porto = { ...HOTEL, hotelId: "h-porto", name: "Aurora Porto", cityId: "porto-pt", cityName: "Porto" };
      return { hotels: [HOTEL, other, porto], nextPageToken: "" };
    },
    async getHotels(_ctx, req) {
      return { hotels: req.hotelIds.includes(HOTEL.hotelId) ? [HOTEL] : [] };
    },
    getAirports: unused,
    async listAirports(ctx, req) {
      w.calls.push({ method: "catalog.ListAirports", principal: ctx.principal, request: req });
      return { airports };
    },
  };
}

export function fakeSearch(w: World): Service<typeof SearchService> {
  /** A personal price; for a signed-in customer with search's quote of it (the development secret), as search answers. */
  const price = (listed: bigint, markdown: bigint, sellerId: string, quoted?: { customer: Principal | undefined; item: QuoteInit["item"] }) => ({
    listed: eur(listed),
    markdown: eur(markdown),
    price: eur(listed - markdown),
    flexible: eur(flexiblePrice(listed)),
    status: PriceStatus.FRESH,
    sellerId,
    ...(quoted?.customer?.kind === "customer"
      ? { quote: testQuote(quoted.customer.id, quoted.item, listed - markdown, markdown, { walletMinor: w.walletAvailable }) }
      : {}),
  });
  const hotel = (customer?: Principal, stay?: { checkIn?: DateMessage; checkOut?: DateMessage }) => {
    const item = {
      sellerId: "casa",
      title: `${HOTEL.name}, ${HOTEL.cityName} — Double room`,
      kind: { case: "hotelStay" as const, value: { hotelId: HOTEL.hotelId, roomId: "DBL", checkIn: stay?.checkIn, checkOut: stay?.checkOut, starRating: HOTEL.starRating } },
    };
    const p = price(w.roomPrice.listed, w.roomPrice.markdown, "casa", { customer, item });
    return {
      hotelId: HOTEL.hotelId,
      name: HOTEL.name,
      cityName: HOTEL.cityName,
      countryCode: "PT",
      starRating: HOTEL.starRating,
      rooms: [{ roomId: "DBL", name: "Double room", maxOccupancy: 2, price: p, offerCount: 1 }],
      fromPrice: p,
    };
  };
  const flight = (flightId: string, origin: string, destination: string, listed: bigint, date: string) => {
    const markdown = walletMarkdown(listed, w.walletAvailable);
    return { flightId, flightNumber: flightId.split("-")[0]!, origin, destination, departureLocal: `${date}T08:15:00+01:00`, price: price(listed, markdown, "skylark") };
  };
  const flights = () => ({
    outbound: [flight("SL100-2030-06-10", "LIS", "MAD", 20_000n, "2030-06-10")],
    inbound: [flight("SL101-2030-06-13", "MAD", "LIS", 15_000n, "2030-06-13")],
    walletAvailable: eur(w.walletAvailable),
    complete: true,
  });
  return {
    async searchHotels(ctx, req) {
      w.calls.push({ method: "search.SearchHotels", principal: ctx.principal, request: req });
      return { results: { hotels: [hotel(ctx.principal, req.query)], walletAvailable: eur(w.walletAvailable), complete: true, totalCount: 1 } };
    },
    async *streamHotels(ctx, req) {
      w.calls.push({ method: "search.StreamHotels", principal: ctx.principal, request: req });
      if ((req.query?.checkIn?.year ?? 0) < 2020) {
        const description = "must be today or later";
        throw invalidArgument(`query.check_in: ${description}`, [{ field: "query.check_in", rule: "not_past", description }]);
      }
      // Snapshots of the page: the listing only, then the priced hotel.
      const page = { totalCount: 1, nextPageToken: "" };
      yield { results: { hotels: [{ ...hotel(), rooms: [], fromPrice: { status: PriceStatus.MISSING } }], degraded: ["pricing"], ...page } };
      yield { results: { hotels: [hotel(ctx.principal, req.query)], walletAvailable: eur(w.walletAvailable), complete: true, ...page } };
    },
    async searchFlights(ctx, req) {
      w.calls.push({ method: "search.SearchFlights", principal: ctx.principal, request: req });
      return { results: flights() };
    },
    async *streamFlights(ctx, req) {
      w.calls.push({ method: "search.StreamFlights", principal: ctx.principal, request: req });
      yield { results: flights() };
    },
  };
}

export function fakeWallet(w: World): Service<typeof WalletService> {
  const refused = async (): Promise<never> => {
    throw permissionDenied("services only");
  };
  return {
    credit: refused,
    hold: refused,
    capture: refused,
    release: refused,
    async getBalance(ctx, req) {
      w.calls.push({ method: "wallet.GetBalance", principal: ctx.principal, request: req });
      return { balance: { customerId: req.customerId, available: eur(w.walletAvailable), held: eur(0n) } };
    },
    async listTransactions(ctx, req) {
      w.calls.push({ method: "wallet.ListTransactions", principal: ctx.principal, request: req });
      return { transactions: [{ transactionId: "t1", customerId: req.customerId, amount: eur(w.walletAvailable) }], nextPageToken: "" };
    },
  };
}

/** The payment of `customerId` in `state` (the gateway's decision is the test's to make). */
export function addPayment(w: World, paymentId: string, customerId: string, state: PaymentState, init: Partial<Omit<Payment, "$typeName" | "$unknown">> = {}) {
  w.payments.set(paymentId, create(PaymentSchema, { paymentId, customerId, state, amount: eur(40_000n), markdown: eur(10_000n), ...init }));
}

export function addReservation(w: World, paymentId: string, state: ReservationState, init: Partial<Omit<Reservation, "$typeName" | "$unknown">> = {}) {
  const p = w.payments.get(paymentId)!;
  const reservationId = `res_${paymentId.slice(4)}`;
  w.reservations.set(reservationId, create(ReservationSchema, { reservationId, paymentId, customerId: p.customerId, state, amount: p.amount, markdown: p.markdown, ...init }));
  return reservationId;
}

/** Payment as the real one behaves for a customer: theirs only; a key answers its first payment. */
export function fakePayment(w: World): Service<typeof PaymentService> {
  const byKey = new Map<string, string>();
  return {
    async makePayment(ctx, req) {
      w.calls.push({ method: "payment.MakePayment", principal: ctx.principal, request: req });
      const customerId = ctx.principal!.id;
      const scoped = `${customerId}|${req.idempotencyKey}`;
      const paymentId = byKey.get(scoped) ?? `pay_${(w.payments.size + 1).toString(16).padStart(32, "0")}`;
      if (!byKey.has(scoped)) {
        // As payment does: the price is the quotes'.
        const priced = testPriceQuotes({ tokens: req.quotes, flexible: req.flexible, customerId, now: new Date() });
        if (!priced.ok) throw failedPrecondition(priced.reason);
        const { item, cardMinor, markdownMinor, currency } = priced.charge;
        byKey.set(scoped, paymentId);
        addPayment(w, paymentId, customerId, PaymentState.PENDING, {
          item: create(ItemSchema, item),
          amount: create(MoneySchema, { amountMinor: cardMinor, currency }),
          markdown: create(MoneySchema, { amountMinor: markdownMinor, currency }),
          returnUrl: req.returnUrl,
        });
      }
      return { payment: w.payments.get(paymentId), redirectUrl: `http://gateway.test/pay/gs_${paymentId}` };
    },
    async getPayment(ctx, req) {
      w.calls.push({ method: "payment.GetPayment", principal: ctx.principal, request: req });
      w.beforeLook.shift()?.();
      const p = w.payments.get(req.paymentId);
      if (!p || p.customerId !== ctx.principal?.id) throw notFound(`payment ${req.paymentId} does not exist`);
      return { payment: p };
    },
    async listPayments(ctx, req) {
      w.calls.push({ method: "payment.ListPayments", principal: ctx.principal, request: req });
      const mine = [...w.payments.values()].filter((p) => p.customerId === ctx.principal?.id && (req.states.length === 0 || req.states.includes(p.state)));
      const { items, nextPageToken } = pageOf(mine.reverse(), req.pageSize, req.pageToken);
      return { payments: items, nextPageToken };
    },
    /** Every PENDING payment of the world, whatever its age, with the threshold asked (or 450 s). */
    async listPendingPayments(ctx, req) {
      w.calls.push({ method: "payment.ListPendingPayments", principal: ctx.principal, request: req });
      const pending = [...w.payments.values()].filter((p) => p.state === PaymentState.PENDING);
      const { items, nextPageToken } = pageOf(pending, req.pageSize, req.pageToken);
      return {
        payments: items.map((p) => ({ paymentId: p.paymentId, customerId: p.customerId, amount: p.amount, createTime: p.createTime, sessionOpened: p.redirectUrl !== "" })),
        nextPageToken,
        olderThanSeconds: req.olderThanSeconds || 450,
      };
    },
    async refund(): Promise<never> {
      throw permissionDenied("services only");
    },
  };
}

/**
 * A page of a newest-first list as payment and booking page theirs: the
 * token names the position after the page (the real ones name its last row,
 * so the same token always answers the same prefix, as here).
 */
function pageOf<T>(all: T[], pageSize: number, pageToken: string): { items: T[]; nextPageToken: string } {
  const from = pageToken === "" ? 0 : Number(/^at-(\d+)$/.exec(pageToken)?.[1] ?? NaN);
  if (!Number.isSafeInteger(from)) throw invalidArgument("page_token: is not a page token from a previous response");
  const end = from + (pageSize > 0 ? pageSize : 20);
  return { items: all.slice(from, end), nextPageToken: end < all.length ? `at-${end}` : "" };
}

export function fakeBooking(w: World): Service<typeof BookingService> {
  const mine = (customerId: string | undefined, id: string) => {
    const r = w.reservations.get(id);
    if (!r || r.customerId !== customerId) throw notFound(`reservation ${id} does not exist`);
    return r;
  };
  const services = async (): Promise<never> => {
    throw permissionDenied("services only");
  };
  return {
    createReservation: services,
    confirmReservation: services,
    failReservation: services,
    /** Two hourly buckets: the world's reservations counted in the last one, by state. */
    async countReservationsByState(ctx, req) {
      w.calls.push({ method: "booking.CountReservationsByState", principal: ctx.principal, request: req });
      const count = (state: ReservationState) => [...w.reservations.values()].filter((r) => r.state === state).length;
      return {
        bucketMinutes: req.bucketMinutes || 60,
        buckets: [
          { startTime: { seconds: 1_800_000_000n, nanos: 0 } },
          { startTime: { seconds: 1_800_003_600n, nanos: 0 }, paid: count(ReservationState.PAID), confirmed: count(ReservationState.CONFIRMED), failed: count(ReservationState.FAILED) },
        ],
      };
    },
    async getReservation(ctx, req) {
      return { reservation: mine(ctx.principal?.id, req.reservationId) };
    },
    async listReservations(ctx, req) {
      w.calls.push({ method: "booking.ListReservations", principal: ctx.principal, request: req });
      const mine = [...w.reservations.values()].filter((r) => r.customerId === ctx.principal?.id).reverse();
      const { items, nextPageToken } = pageOf(mine, req.pageSize, req.pageToken);
      return { reservations: items, nextPageToken };
    },
    async quoteCancellation(ctx, req) {
      mine(ctx.principal?.id, req.reservationId);
      return { fee: eur(0n), refund: eur(40_000n), walletRefund: eur(10_000n), policy: "Free cancellation: the booking is not yet confirmed" };
    },
    async cancelReservation(ctx, req) {
      const r = mine(ctx.principal?.id, req.reservationId);
      const cancelled = create(ReservationSchema, { ...r, state: ReservationState.CANCELLED, refunded: r.amount });
      w.reservations.set(r.reservationId, cancelled);
      return { reservation: cancelled };
    },
  };
}
