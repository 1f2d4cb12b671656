// The access matrix's example requests (e2e/access.test.ts): one per RPC of
// every contract the system serves, keyed "package.Service/Method". Each is
// a request the method ANSWERS OK for its allowed callers, built from what
// the matrix's setup made (the World); `owned` says the request names the
// owner's (alice's) data, so another customer must get NOT_FOUND. A new RPC
// without an entry here fails the matrix, naming the key to add.
import { randomBytes } from "node:crypto";
import type { DescMessage, MessageInitShape } from "@bufbuild/protobuf";
import type { Context, Principal } from "../endpoints/context.js";
import { Code } from "../endpoints/errors.js";
import type { Client } from "../endpoints/service.js";
import type { CatalogService, Flight, Hotel } from "../gen/itinera/catalog/v1/catalog_pb.js";
import type { Date as ProtoDate } from "../gen/itinera/type/v1/date_pb.js";
import type { Item } from "../gen/itinera/type/v1/item_pb.js";
import { CreditReason } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { samplePushBody } from "../services/sellers/fixture.js";
import { signPush } from "../services/sellers/push.js";
import type { Customer, Marketplace, Offer } from "./marketplace.fixture.js";

/** What the setup made for the examples to name. */
export interface World {
  m: Marketplace;
  /** The owner: the customer whose data `owned` requests name. */
  alice: Customer;
  /** Another customer. */
  bob: Customer;
  /** A person the operator tool gave the operator role (signed in after the grant: the role is in the token). */
  olivia: Customer;
  password: string;
  offer: Offer;
  stay: { hotelId: string; roomId: string; checkIn: ProtoDate; checkOut: ProtoDate };
  /** Alice's paid payment and its CONFIRMED reservation (read, quoted and confirmed again; never cancelled). */
  paymentId: string;
  reservationId: string;
  /** Alice's second confirmed reservation: the one the cancel rows cancel (again). */
  cancelledId: string;
  /** Alice's paid reservation that sellers failed (its seller does not exist): the one the fail rows fail again. */
  failedId: string;
  hotel: Hotel;
  flight: Flight;
  route: { origin: string; destination: string; departureDate: ProtoDate };
  catalog: Client<typeof CatalogService>;
  /** A principal from identity for a service name. */
  service(name: string): Promise<Principal>;
  ctx(principal: Principal): Context;
  /** A fresh hold of one cent on alice's wallet, made as booking. */
  hold(): Promise<string>;
  /** A fresh suffix for idempotency keys, e-mail addresses and push ids. */
  unique(): string;
}

export interface Example {
  request(w: World): MessageInitShape<DescMessage> | Promise<MessageInitShape<DescMessage>>;
  /** The request names alice's data: bob is answered NOT_FOUND. */
  owned?: true;
  /**
   * What its allowed callers are answered when it is not OK: NOT_FOUND for a
   * request that names something the system cannot be made to have on demand
   * (a dead letter) — past access, the service looked and said so.
   */
  allowedGet?: Code.NotFound;
}

/** The largest message id a dead letter may have: none of the matrix's run. */
const LAST_MESSAGE_ID = 2n ** 63n - 1n;
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const item = (w: World): Item => w.offer.item;

/** A sign-up's e-mailed link token, for a new address. */
async function newLink(w: World): Promise<string> {
  const email = `matrix.link.${w.unique()}@example.com`;
  await w.m.clients.identity.signUp(w.ctx(w.alice.principal), { email, password: w.password, displayName: "Matrix" });
  return w.m.verificationToken(email);
}

export const EXAMPLES: Record<string, Example> = {
  // identity
  "itinera.identity.v1.IdentityService/SignUp": {
    request: (w) => ({ email: `matrix.${w.unique()}@example.com`, password: w.password, displayName: "Matrix" }),
  },
  "itinera.identity.v1.IdentityService/SignIn": { request: (w) => ({ email: w.alice.email, password: w.password }) },
  "itinera.identity.v1.IdentityService/Refresh": {
    // Refresh tokens are single-use: each row gets its own, from a sign-in.
    request: async (w) => ({
      refreshToken: (await w.m.clients.identity.signIn(w.ctx(w.alice.principal), { email: w.alice.email, password: w.password })).tokens!.refreshToken,
    }),
  },
  "itinera.identity.v1.IdentityService/SignOut": {
    // Each row signs out a sign-in of its own.
    request: async (w) => ({
      refreshToken: (await w.m.clients.identity.signIn(w.ctx(w.alice.principal), { email: w.alice.email, password: w.password })).tokens!.refreshToken,
    }),
  },
  "itinera.identity.v1.IdentityService/VerifyEmail": {
    // Links are single use: each row signs up an address of its own and follows the link the e-mail brought.
    request: async (w) => ({ token: await newLink(w) }),
  },
  "itinera.identity.v1.IdentityService/GetJwks": { request: () => ({}) },
  "itinera.identity.v1.IdentityService/IssueServiceToken": { request: (w) => ({ serviceName: "operator", secret: w.m.env.OPERATOR_SERVICE_SECRET! }) },
  "itinera.identity.v1.IdentityService/GetCustomer": { request: (w) => ({ customerId: w.alice.customerId }) },
  // granted already in the setup: granting again is OK and changes nothing
  "itinera.identity.v1.IdentityService/GrantOperatorRole": { request: (w) => ({ email: w.olivia.email }) },

  // catalog
  "itinera.catalog.v1.CatalogService/UpsertHotels": { request: (w) => ({ sellerId: item(w).sellerId, hotels: [w.hotel] }) },
  "itinera.catalog.v1.CatalogService/UpsertFlights": { request: (w) => ({ sellerId: "skylark", flights: [w.flight] }) },
  "itinera.catalog.v1.CatalogService/SearchHotels": { request: () => ({ query: "Lisbon", pageSize: 5 }) },
  "itinera.catalog.v1.CatalogService/GetHotels": { request: (w) => ({ hotelIds: [w.stay.hotelId] }) },
  "itinera.catalog.v1.CatalogService/ListFlights": { request: (w) => w.route },
  "itinera.catalog.v1.CatalogService/GetAirports": { request: (w) => ({ codes: [w.route.origin] }) },
  "itinera.catalog.v1.CatalogService/ListAirports": { request: () => ({}) },

  // pricing
  "itinera.pricing.v1.PricingService/IngestHotelRates": {
    request: (w) => ({
      sellerId: item(w).sellerId,
      rates: [{ hotelId: w.stay.hotelId, roomId: w.stay.roomId, night: w.stay.checkIn, price: eur(w.offer.listedMinor), available: 5 }],
    }),
  },
  "itinera.pricing.v1.PricingService/GetHotelOffers": {
    request: (w) => ({ hotelIds: [w.stay.hotelId], checkIn: w.stay.checkIn, checkOut: w.stay.checkOut }),
  },
  "itinera.pricing.v1.PricingService/GetFlightFares": { request: (w) => w.route },
  "itinera.pricing.v1.PricingService/InvalidateRoom": { request: (w) => ({ hotelId: w.stay.hotelId, roomId: w.stay.roomId, reason: "access matrix" }) },

  // sellers
  "itinera.sellers.v1.SellersService/QuoteFlights": { request: (w) => w.route },
  "itinera.sellers.v1.SellersService/QuoteHotelStay": {
    request: (w) => ({ hotelId: w.stay.hotelId, checkIn: w.stay.checkIn, checkOut: w.stay.checkOut }),
  },
  "itinera.sellers.v1.SellersService/SyncSeller": { request: () => ({ sellerId: "skylark" }) },
  "itinera.sellers.v1.SellersService/ListSellers": { request: () => ({}) },
  "itinera.sellers.v1.SellersService/ReceivePush": {
    request: (w) => {
      const pushId = crypto.randomUUID();
      const body = samplePushBody(pushId);
      const key = w.m.env.SELLERS_WEBHOOK_KEYS!.replace(/^wanderly:/, "");
      return { sellerId: "wanderly", body, pushId, signature: signPush(key, pushId, body, Math.floor(Date.now() / 1000)) };
    },
  },

  // wallet
  "itinera.wallet.v1.WalletService/GetBalance": { owned: true, request: (w) => ({ customerId: w.alice.customerId, currency: "EUR" }) },
  "itinera.wallet.v1.WalletService/Credit": {
    request: (w) => ({ idempotencyKey: `matrix-${w.unique()}`, customerId: w.alice.customerId, amount: eur(1n), reason: CreditReason.PROMOTION }),
  },
  "itinera.wallet.v1.WalletService/Hold": {
    request: (w) => ({ idempotencyKey: `matrix-${w.unique()}`, customerId: w.alice.customerId, amount: eur(1n), reference: "access matrix" }),
  },
  "itinera.wallet.v1.WalletService/Capture": { request: async (w) => ({ idempotencyKey: `matrix-${w.unique()}`, holdId: await w.hold() }) },
  "itinera.wallet.v1.WalletService/Release": { request: async (w) => ({ idempotencyKey: `matrix-${w.unique()}`, holdId: await w.hold() }) },
  "itinera.wallet.v1.WalletService/ListTransactions": { owned: true, request: (w) => ({ customerId: w.alice.customerId, pageSize: 5 }) },

  // search
  "itinera.search.v1.SearchService/SearchHotels": {
    request: (w) => ({ query: { query: "Lisbon", checkIn: w.stay.checkIn, checkOut: w.stay.checkOut, pageSize: 5 } }),
  },
  "itinera.search.v1.SearchService/StreamHotels": {
    request: (w) => ({ query: { query: "Lisbon", checkIn: w.stay.checkIn, checkOut: w.stay.checkOut, pageSize: 5 } }),
  },
  "itinera.search.v1.SearchService/SearchFlights": { request: (w) => ({ query: w.route }) },
  "itinera.search.v1.SearchService/StreamFlights": { request: (w) => ({ query: w.route }) },

  // booking
  "itinera.booking.v1.BookingService/CreateReservation": {
    // A payment id as payment makes them, of no payment: sellers books the stay; nothing is charged.
    request: (w) => ({ paymentId: `pay_${randomBytes(16).toString("hex")}`, customerId: w.alice.customerId, item: item(w), amount: eur(w.offer.priceMinor), markdown: eur(0n) }),
  },
  // alice's own; the sellers service reads any reservation, hers included
  "itinera.booking.v1.BookingService/GetReservation": { owned: true, request: (w) => ({ reservationId: w.reservationId }) },
  "itinera.booking.v1.BookingService/ListReservations": { request: () => ({ pageSize: 5 }) },
  "itinera.booking.v1.BookingService/QuoteCancellation": { owned: true, request: (w) => ({ reservationId: w.reservationId }) },
  "itinera.booking.v1.BookingService/CancelReservation": { owned: true, request: (w) => ({ reservationId: w.cancelledId }) },
  "itinera.booking.v1.BookingService/ConfirmReservation": { request: (w) => ({ reservationId: w.reservationId, sellerReference: "matrix" }) },
  "itinera.booking.v1.BookingService/FailReservation": { request: (w) => ({ reservationId: w.failedId, reason: "access matrix", refunded: eur(0n) }) },
  "itinera.booking.v1.BookingService/CountReservationsByState": { request: () => ({ windowHours: 1, bucketMinutes: 60 }) },

  // payment
  "itinera.payment.v1.PaymentService/MakePayment": {
    request: (w) => ({
      idempotencyKey: `matrix-${w.unique()}`,
      quotes: [w.offer.quote!],
      returnUrl: `${w.m.env.WEB_PUBLIC_URL}/trips/return`,
    }),
  },
  "itinera.payment.v1.PaymentService/GetPayment": { owned: true, request: (w) => ({ paymentId: w.paymentId }) },
  "itinera.payment.v1.PaymentService/ListPayments": { request: () => ({ pageSize: 5 }) },
  "itinera.payment.v1.PaymentService/Refund": {
    request: (w) => ({ idempotencyKey: `matrix-${w.unique()}`, paymentId: w.paymentId, amount: eur(1n), reason: "access matrix" }),
  },
  "itinera.payment.v1.PaymentService/ListPendingPayments": { request: () => ({ pageSize: 5 }) },

  // mailer
  "itinera.mailer.v1.MailerService/ListEmails": { request: (w) => ({ reservationId: w.reservationId }) },

  // the bus's dead letters, on every consuming process; replay and discard name a message id no bus reaches (2^63 - 1): NOT_FOUND
  "itinera.bus.v1.DeadLetterService/ListDeadLetters": { request: () => ({ limit: 10 }) },
  "itinera.bus.v1.DeadLetterService/ReplayDeadLetter": { allowedGet: Code.NotFound, request: () => ({ group: "mailer", messageId: LAST_MESSAGE_ID }) },
  "itinera.bus.v1.DeadLetterService/DiscardDeadLetter": { allowedGet: Code.NotFound, request: () => ({ group: "mailer", messageId: LAST_MESSAGE_ID }) },

  // web (the BFF)
  "itinera.web.v1.WebService/SignUp": {
    request: (w) => ({ email: `matrix.web.${w.unique()}@example.com`, password: w.password, displayName: "Matrix" }),
  },
  "itinera.web.v1.WebService/VerifyEmail": { request: async (w) => ({ token: await newLink(w) }) },
  "itinera.web.v1.WebService/SignIn": { request: (w) => ({ email: w.alice.email, password: w.password }) },
  "itinera.web.v1.WebService/SignOut": { request: () => ({}) },
  "itinera.web.v1.WebService/GetSession": { request: () => ({}) },
  "itinera.web.v1.WebService/SuggestDestinations": { request: () => ({ text: "Lis" }) },
  "itinera.web.v1.WebService/ListAirports": { request: () => ({}) },
  "itinera.web.v1.WebService/StreamHotels": { request: (w) => ({ query: "Lisbon", checkIn: w.stay.checkIn, checkOut: w.stay.checkOut }) },
  "itinera.web.v1.WebService/StreamFlights": { request: (w) => w.route },
  "itinera.web.v1.WebService/GetHotel": { request: (w) => ({ hotelId: w.stay.hotelId, checkIn: w.stay.checkIn, checkOut: w.stay.checkOut }) },
  "itinera.web.v1.WebService/StartBooking": {
    request: (w) => ({ idempotencyKey: `matrix-${w.unique()}`, quotes: [w.offer.quote!] }),
  },
  "itinera.web.v1.WebService/GetTrip": { owned: true, request: (w) => ({ paymentId: w.paymentId }) },
  "itinera.web.v1.WebService/WatchTrip": { owned: true, request: (w) => ({ paymentId: w.paymentId }) },
  "itinera.web.v1.WebService/ListTrips": { request: () => ({ pageSize: 5 }) },
  "itinera.web.v1.WebService/QuoteCancellation": { owned: true, request: (w) => ({ reservationId: w.reservationId }) },
  "itinera.web.v1.WebService/CancelTrip": { owned: true, request: (w) => ({ reservationId: w.cancelledId }) },
  "itinera.web.v1.WebService/GetWallet": { request: () => ({ pageSize: 5 }) },
  // the Operator page: the BFF forwards the operator's token to sellers and to each process's DeadLetterService
  "itinera.web.v1.WebService/ListSellerHealth": { request: () => ({}) },
  "itinera.web.v1.WebService/ListOperatorDeadLetters": { request: () => ({ limitPerProcess: 5 }) },
  "itinera.web.v1.WebService/GetOperatorBookingStats": { request: () => ({ windowHours: 1, bucketMinutes: 60 }) },
  "itinera.web.v1.WebService/ListOperatorPendingPayments": { request: () => ({ pageSize: 5 }) },
  "itinera.web.v1.WebService/ReplayOperatorDeadLetter": {
    allowedGet: Code.NotFound,
    request: () => ({ process: "mailer", group: "mailer", messageId: LAST_MESSAGE_ID }),
  },
  "itinera.web.v1.WebService/DiscardOperatorDeadLetter": {
    allowedGet: Code.NotFound,
    request: () => ({ process: "mailer", group: "mailer", messageId: LAST_MESSAGE_ID }),
  },
};
