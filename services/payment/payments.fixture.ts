// Requests the payment tests share: a hotel stay and a flight paid in EUR.
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { MakePaymentRequestSchema } from "../../gen/itinera/payment/v1/payment_pb.js";

type MakePayment = MessageInitShape<typeof MakePaymentRequestSchema>;

export function hotelPayment(idempotencyKey: string, amountMinor: bigint, markdownMinor = 500n): MakePayment & { item: object } {
  return {
    idempotencyKey,
    item: {
      sellerId: "casa",
      title: "Hotel Aurora, Lisbon — Double room, 3 nights",
      kind: {
        case: "hotelStay",
        value: {
          hotelId: "hotel-1",
          roomId: "room-1",
          checkIn: { year: 2026, month: 12, day: 10 },
          checkOut: { year: 2026, month: 12, day: 13 },
          starRating: 4,
        },
      },
    },
    amount: { amountMinor, currency: "EUR" },
    markdown: { amountMinor: markdownMinor, currency: "EUR" },
    returnUrl: "https://itinera.test/return",
  };
}

export function flightPayment(idempotencyKey: string, amountMinor: bigint): MakePayment {
  return {
    idempotencyKey,
    item: { sellerId: "skylark", title: "LIS → OPO", kind: { case: "flightTrip", value: { outboundFlightId: "SL123-2026-12-01" } } },
    amount: { amountMinor, currency: "EUR" },
    returnUrl: "http://127.0.0.1:8080/payments/return",
  };
}
