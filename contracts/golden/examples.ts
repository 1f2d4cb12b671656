// The messages `make golden` writes as a release's fixtures (scripts/golden.ts):
// fully populated (every field set, every oneof arm in some example; the
// writer refuses one that leaves a field unset), built with the code of the
// release being recorded, and placed where that release puts them: the bus's
// outbox row, a change signal's NOTIFY payload, or a database column.
import { create, type DescMessage, type Message, type MessageInitShape } from "@bufbuild/protobuf";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { FlightsChangedSchema, HotelsChangedSchema } from "../../gen/itinera/catalog/v1/events_pb.js";
import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";
import { PaymentEventSchema } from "../../gen/itinera/payment/v1/events_pb.js";
import {
  MakePaymentRequestSchema,
  MakePaymentResponseSchema,
  PaymentState,
  RefundRequestSchema,
  RefundResponseSchema,
} from "../../gen/itinera/payment/v1/payment_pb.js";
import { HotelPricesChangedSchema } from "../../gen/itinera/pricing/v1/events_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import { QuoteSchema } from "../../gen/itinera/type/v1/quote_pb.js";
import {
  CaptureRequestSchema,
  CaptureResponseSchema,
  CreditReason,
  CreditRequestSchema,
  CreditResponseSchema,
  HoldRequestSchema,
  HoldResponseSchema,
  HoldState,
  ReleaseRequestSchema,
  ReleaseResponseSchema,
  TransactionKind,
} from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { FLIGHTS_CHANNEL, HOTELS_CHANNEL } from "../../services/catalog/change-signal.js";
import { HOTEL_PRICES_CHANNEL } from "../../services/pricing/change-signal.js";
import { topicOf } from "../../endpoints/bus.js";

/** Where the release puts the message. */
export type Placement =
  | { readonly bus: { readonly topic: string; readonly key: string; readonly headers: Record<string, string> } }
  | { readonly signal: string }
  | { readonly column: string };

export interface Example {
  /** The fixture files' stem: <name>.binpb and <name>.json. */
  readonly name: string;
  readonly schema: DescMessage;
  readonly message: Message;
  readonly placement: Placement;
}

/** Fields an example leaves unset on purpose (the writer accepts them), with why. */
export const LEFT_UNSET: Readonly<Record<string, string>> = {
  "type.Quote: itinera.type.v1.Quote.item.premium": "a quote is never premium (the flexible option is chosen when paying); Item.premium is set in the others",
};

function example<D extends DescMessage>(name: string, schema: D, init: MessageInitShape<D>, placement: Placement): Example {
  return { name, schema, message: create(schema, init), placement };
}

const time = (seconds: number) => ({ seconds: BigInt(seconds), nanos: 123_456_789 });
const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
const date = (year: number, month: number, day: number) => ({ year, month, day });
const headers = { request_id: "req-golden-1", traceparent: "00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01" };

const hotelStay = {
  sellerId: "seller-a",
  premium: true,
  title: "Hotel Aurora, Lisbon — Double room, 3 nights",
  kind: { case: "hotelStay", value: { hotelId: "h-P000123", roomId: "r-double", checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13), starRating: 4 } },
} as const;
const flightTrip = {
  sellerId: "seller-b",
  premium: true,
  title: "Lisbon → Madrid and back",
  kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2027-03-10", returnFlightId: "SL124-2027-03-13", origin: "LIS", destination: "MAD" } },
} as const;

const reservation = (state: ReservationState, item: typeof hotelStay | typeof flightTrip) => ({
  reservationId: "res_0f3a9c",
  customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d",
  paymentId: "pay_0123456789abcdef0123456789abcdef",
  item,
  amount: eur(41_950n),
  markdown: eur(2_000n),
  state,
  sellerReference: "AUR-88213",
  failureReason: "the seller has no room left",
  cancellationFee: eur(4_195n),
  refunded: eur(37_755n),
  createTime: time(1_796_000_000),
  updateTime: time(1_796_000_600),
});

const payment = (state: PaymentState) => ({
  paymentId: "pay_0123456789abcdef0123456789abcdef",
  customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d",
  item: hotelStay,
  amount: eur(41_950n),
  markdown: eur(2_000n),
  state,
  redirectUrl: "https://gateway.example/pay/cs_42",
  returnUrl: "https://itinera.example/trips/return",
  declineReason: "card declined",
  refunded: eur(1_000n),
  createTime: time(1_796_000_000),
  updateTime: time(1_796_000_060),
  authoriseTime: time(1_796_000_050),
});

const balance = { customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", available: eur(3_000n), held: eur(2_000n) };
const hold = (state: HoldState) => ({
  holdId: "5b0e8a2c-1d3f-4a6b-8c9d-0e1f2a3b4c5d",
  customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d",
  amount: eur(2_000n),
  state,
  reference: "res_0f3a9c",
  createTime: time(1_796_000_000),
  settleTime: time(1_796_000_900),
});

const onReservations = { bus: { topic: topicOf(ReservationEventSchema).name, key: "res_0f3a9c", headers } };
const onPayments = { bus: { topic: topicOf(PaymentEventSchema).name, key: "pay_0123456789abcdef0123456789abcdef", headers } };
const onAccounts = { bus: { topic: topicOf(AccountEventSchema).name, key: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", headers } };
const walletCommands = { column: "wallet.commands (request_hash, response)" };
const paymentCommands = { column: "payment.commands (request_hash, response)" };

export const EXAMPLES: readonly Example[] = [
  example("booking.ReservationEvent.paid", ReservationEventSchema, { event: { case: "paid", value: { reservation: reservation(ReservationState.PAID, hotelStay) } } }, onReservations),
  example("booking.ReservationEvent.confirmed", ReservationEventSchema, { event: { case: "confirmed", value: { reservation: reservation(ReservationState.CONFIRMED, flightTrip) } } }, onReservations),
  example("booking.ReservationEvent.failed", ReservationEventSchema, { event: { case: "failed", value: { reservation: reservation(ReservationState.FAILED, hotelStay) } } }, onReservations),
  example("booking.ReservationEvent.cancelled", ReservationEventSchema, { event: { case: "cancelled", value: { reservation: reservation(ReservationState.CANCELLED, flightTrip) } } }, onReservations),
  example(
    "booking.RoomSoldOut",
    RoomSoldOutSchema,
    { sellerId: "seller-a", hotelId: "h-P000123", roomId: "r-double", checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 13) },
    { bus: { topic: topicOf(RoomSoldOutSchema).name, key: "r-double", headers } },
  ),
  example("booking.ReservationEvent.fulfilled", ReservationEventSchema, { event: { case: "fulfilled", value: { reservation: reservation(ReservationState.FULFILLED, hotelStay) } } }, onReservations),
  example(
    "booking.RoomAvailable",
    RoomAvailableSchema,
    { sellerId: "seller-a", hotelId: "h-P000123", roomId: "r-double", checkIn: date(2027, 3, 10), checkOut: date(2027, 3, 12) },
    { bus: { topic: topicOf(RoomAvailableSchema).name, key: "r-double", headers } },
  ),
  example(
    "identity.AccountEvent.email_verification_requested",
    AccountEventSchema,
    { event: { case: "emailVerificationRequested", value: { customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", verificationId: "9a8b7c6d-5e4f-4a3b-8c2d-1e0f9a8b7c6d", token: "dGhlLWxpbmstdG9rZW4", expireTime: time(1_796_086_400) } } },
    onAccounts,
  ),
  example(
    "identity.AccountEvent.sign_up_for_existing_account",
    AccountEventSchema,
    { event: { case: "signUpForExistingAccount", value: { customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", attemptId: "1f2e3d4c-5b6a-4978-8a9b-0c1d2e3f4a5b" } } },
    onAccounts,
  ),
  example("payment.PaymentEvent.authorised", PaymentEventSchema, { event: { case: "authorised", value: { payment: payment(PaymentState.AUTHORISED) } } }, onPayments),
  example("payment.PaymentEvent.declined", PaymentEventSchema, { event: { case: "declined", value: { payment: payment(PaymentState.DECLINED) } } }, onPayments),
  example("catalog.HotelsChanged", HotelsChangedSchema, { hotelIds: ["h-P000123", "h-P000124"] }, { signal: HOTELS_CHANNEL }),
  example("catalog.FlightsChanged", FlightsChangedSchema, { flights: 120, airports: 3 }, { signal: FLIGHTS_CHANNEL }),
  example(
    "pricing.HotelPricesChanged",
    HotelPricesChangedSchema,
    { hotelIds: ["h-P000123"], firstNight: date(2027, 3, 10), lastNight: date(2027, 3, 12) },
    { signal: HOTEL_PRICES_CHANNEL },
  ),
  example("type.Item.hotel_stay", ItemSchema, hotelStay, { column: "payment.payments.item" }),
  example("type.Item.flight_trip", ItemSchema, flightTrip, { column: "payment.payments.item" }),
  example(
    "type.Quote",
    QuoteSchema,
    {
      item: { ...hotelStay, premium: false },
      listed: eur(41_950n),
      markdown: eur(2_000n),
      walletAvailable: eur(3_000n),
      flexible: eur(2_500n),
      customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d",
      issueTime: time(1_796_000_000),
      expireTime: time(1_796_001_800),
    },
    { column: "the quote token (<quote>.<mac>) a browser holds" },
  ),
  example(
    "payment.MakePaymentRequest",
    MakePaymentRequestSchema,
    { idempotencyKey: "web:k1", item: hotelStay, amount: eur(41_950n), markdown: eur(2_000n), returnUrl: "https://itinera.example/trips/return", quotes: ["cXVvdGU.bWFj"], flexible: true },
    paymentCommands,
  ),
  example("payment.MakePaymentResponse", MakePaymentResponseSchema, { payment: payment(PaymentState.PENDING), redirectUrl: "https://gateway.example/pay/cs_42" }, paymentCommands),
  example("payment.RefundRequest", RefundRequestSchema, { idempotencyKey: "refund:cancel:res_0f3a9c", paymentId: "pay_0123456789abcdef0123456789abcdef", amount: eur(37_755n), reason: "cancelled by the customer" }, paymentCommands),
  example("payment.RefundResponse", RefundResponseSchema, { payment: payment(PaymentState.AUTHORISED), refundId: "re_42" }, paymentCommands),
  example(
    "wallet.CreditRequest",
    CreditRequestSchema,
    { idempotencyKey: "credit:cancel:res_0f3a9c", customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", amount: eur(2_000n), reason: CreditReason.REFUND, reference: "res_0f3a9c" },
    walletCommands,
  ),
  example(
    "wallet.CreditResponse",
    CreditResponseSchema,
    {
      transaction: {
        transactionId: "2c3d4e5f-6a7b-4c8d-9e0f-1a2b3c4d5e6f",
        customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d",
        kind: TransactionKind.CREDIT,
        amount: eur(2_000n),
        holdId: "5b0e8a2c-1d3f-4a6b-8c9d-0e1f2a3b4c5d",
        reference: "res_0f3a9c",
        reason: CreditReason.REFUND,
        createTime: time(1_796_000_900),
        availableAfter: eur(5_000n),
      },
      balance,
    },
    walletCommands,
  ),
  example("wallet.HoldRequest", HoldRequestSchema, { idempotencyKey: "hold:res_0f3a9c", customerId: "7d4c1b0e-2f6a-4e8b-9c1d-3a5b7e9f1c2d", amount: eur(2_000n), reference: "res_0f3a9c" }, walletCommands),
  example("wallet.HoldResponse", HoldResponseSchema, { hold: hold(HoldState.HELD), balance }, walletCommands),
  example("wallet.CaptureRequest", CaptureRequestSchema, { idempotencyKey: "capture:res_0f3a9c", holdId: "5b0e8a2c-1d3f-4a6b-8c9d-0e1f2a3b4c5d" }, walletCommands),
  example("wallet.CaptureResponse", CaptureResponseSchema, { hold: hold(HoldState.CAPTURED), balance }, walletCommands),
  example("wallet.ReleaseRequest", ReleaseRequestSchema, { idempotencyKey: "release:res_0f3a9c", holdId: "5b0e8a2c-1d3f-4a6b-8c9d-0e1f2a3b4c5d" }, walletCommands),
  example("wallet.ReleaseResponse", ReleaseResponseSchema, { hold: hold(HoldState.RELEASED), balance }, walletCommands),
];
