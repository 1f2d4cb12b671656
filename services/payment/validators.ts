// What payment accepts, per method, checked by the validation middleware
// before the service runs (and again by the service itself, so a direct call
// cannot write nonsense): every bad field at once, one violation each.
import { invalidArgument } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";
import {
  date,
  dateAfter,
  intRange,
  maxLen,
  money,
  pattern,
  required,
  validator,
  violation,
  currencyCodes,
  type Check,
} from "../../endpoints/rules.js";
import type { Validator, Validators } from "../../endpoints/service.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { Item } from "../../gen/itinera/type/v1/item_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";

export const PAYMENT_ID = /^pay_[0-9a-f]{32}$/;
/** Amounts travel to the gateway as JSON numbers: at most 2^53 − 1 minor units. */
const MAX_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);

/** Payment's validators; the ISO-4217 list is computed once per call of this function. */
export function paymentValidators(): Validators<typeof PaymentService> {
  const currencies = currencyCodes();
  const idempotencyKey = (value: string) => required("idempotency_key", value, { maxLen: 128 });
  const paymentId = (value: string) => [
    required("payment_id", value),
    pattern("payment_id", value, PAYMENT_ID, 'a payment id as MakePayment returned it ("pay_…")'),
  ];
  const amount = (field: string, value: Money | undefined) => [
    money(field, value, currencies, { positive: true }),
    value && intRange(`${field}.amount_minor`, value.amountMinor, 1n, MAX_AMOUNT),
  ];
  return {
    makePayment: validator((req) => [
      idempotencyKey(req.idempotencyKey),
      itemChecks("item", req.item),
      amount("amount", req.amount),
      req.markdown && [
        money("markdown", req.markdown, currencies),
        intRange("markdown.amount_minor", req.markdown.amountMinor, 0n, MAX_AMOUNT),
        req.amount &&
          req.markdown.currency !== req.amount.currency &&
          violation("markdown.currency", "same_currency", "must be the currency of amount"),
      ],
      required("return_url", req.returnUrl, { maxLen: 2000 }),
      req.returnUrl.trim() !== "" && !httpUrl(req.returnUrl) && violation("return_url", "url", "must be an absolute http or https URL"),
    ]),
    getPayment: validator((req) => [paymentId(req.paymentId)]),
    refund: validator((req) => [
      idempotencyKey(req.idempotencyKey),
      paymentId(req.paymentId),
      amount("amount", req.amount),
      maxLen("reason", req.reason, 200),
    ]),
  };
}

/** Throws InvalidArgument (every violation) unless `req` passes `validate`. */
export function assertValid<I>(validate: Validator<I> | undefined, req: I): void {
  const violations = validate?.(req) ?? [];
  if (violations.length > 0) throw invalidArgument(summarise(violations), violations);
}

/** What is bought: a seller and exactly one of a hotel stay or a flight trip, each complete. */
function itemChecks(field: string, item: Item | undefined): Check {
  if (!item) return violation(field, "required", "is required");
  const kind = item.kind;
  return [
    required(`${field}.seller_id`, item.sellerId, { maxLen: 64 }),
    maxLen(`${field}.title`, item.title, 200),
    kind.case === undefined && violation(field, "oneof", "must have a hotel_stay or a flight_trip"),
    kind.case === "hotelStay" && [
      required(`${field}.hotel_stay.hotel_id`, kind.value.hotelId, { maxLen: 128 }),
      required(`${field}.hotel_stay.room_id`, kind.value.roomId, { maxLen: 128 }),
      date(`${field}.hotel_stay.check_in`, kind.value.checkIn),
      date(`${field}.hotel_stay.check_out`, kind.value.checkOut),
      dateAfter(`${field}.hotel_stay.check_out`, kind.value.checkOut, "check_in", kind.value.checkIn),
      kind.value.starRating !== 0 && intRange(`${field}.hotel_stay.star_rating`, kind.value.starRating, 1, 5),
    ],
    kind.case === "flightTrip" && [
      required(`${field}.flight_trip.outbound_flight_id`, kind.value.outboundFlightId, { maxLen: 128 }),
      maxLen(`${field}.flight_trip.return_flight_id`, kind.value.returnFlightId, 128),
    ],
  ];
}

function httpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
}
