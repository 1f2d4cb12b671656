// What payment accepts, per method, checked by the validation middleware
// before the service runs (and again by the service itself, so a direct call
// cannot write nonsense): every bad field at once, one violation each.
import { invalidArgument } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";
import {
  date,
  dateAfter,
  each,
  enumDefined,
  intRange,
  maxLen,
  money,
  pageSize,
  pattern,
  required,
  validator,
  violation,
  currencyCodes,
  type Check,
} from "../../endpoints/rules.js";
import type { Validator, Validators } from "../../endpoints/service.js";
import { PaymentStateSchema, type ListPendingPaymentsRequest, type PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import { quoteChecks } from "../../platform/quotes.js";

export const PAYMENT_ID = /^pay_[0-9a-f]{32}$/;
/** ListPayments' largest page. */
export const MAX_PAYMENTS_PAGE = 100;
/** ListPendingPayments' largest page, and its longest threshold (a week). */
export const MAX_PENDING_PAGE = 100;
export const MAX_OLDER_THAN_SECONDS = 7 * 24 * 3600;
/** The states a payment can be in (PaymentState without UNSPECIFIED). */
const STATE_COUNT = PaymentStateSchema.values.length - 1;
/** Amounts travel to the gateway as JSON numbers: at most 2^53 − 1 minor units. */
const MAX_AMOUNT = BigInt(Number.MAX_SAFE_INTEGER);

/** ListPendingPayments (pending.ts): a threshold of 1 s to a week (0: the default), a bounded page. */
export const listPendingPaymentsValidator: Validator<ListPendingPaymentsRequest> = validator((req) => [
  req.olderThanSeconds !== 0 && intRange("older_than_seconds", req.olderThanSeconds, 1, MAX_OLDER_THAN_SECONDS),
  pageSize("page_size", req.pageSize, MAX_PENDING_PAGE),
  maxLen("page_token", req.pageToken, 200),
]);

/** The browser's return URLs payment accepts when none are configured: the BFF's development origins. */
export const DEFAULT_RETURN_ORIGINS = ["http://127.0.0.1:8080", "http://localhost:8080"];

export interface PaymentValidatorOptions {
  /** Origins ("https://itinera.example") a return_url may be on; default DEFAULT_RETURN_ORIGINS. */
  returnOrigins?: readonly string[];
}

/** Payment's validators; the ISO-4217 list is computed once per call of this function. */
export function paymentValidators(opts: PaymentValidatorOptions = {}): Validators<typeof PaymentService> {
  const origins = new Set((opts.returnOrigins ?? DEFAULT_RETURN_ORIGINS).map((o) => new URL(o).origin));
  const originList = [...origins].join(", ");
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
      // What is bought and its price come from the quotes alone (the old caller-priced fields are refused, not ignored).
      req.item && violation("item", "unset", "is no longer accepted: send the quotes search answered"),
      req.amount && violation("amount", "unset", "is no longer accepted: payment computes the amount from the quotes"),
      req.markdown && violation("markdown", "unset", "is no longer accepted: the markdown comes from the quotes"),
      quoteChecks("quotes", req.quotes),
      required("return_url", req.returnUrl, { maxLen: 2000 }),
      req.returnUrl.trim() !== "" && !httpUrl(req.returnUrl) && violation("return_url", "url", "must be an absolute http or https URL"),
      httpUrl(req.returnUrl) &&
        !origins.has(new URL(req.returnUrl).origin) &&
        violation("return_url", "allowed_origin", `must be on one of Itinera's own origins (${originList})`),
    ]),
    getPayment: validator((req) => [paymentId(req.paymentId)]),
    listPendingPayments: listPendingPaymentsValidator,
    listPayments: validator((req) => [
      pageSize("page_size", req.pageSize, MAX_PAYMENTS_PAGE),
      maxLen("page_token", req.pageToken, 200),
      req.states.length > STATE_COUNT
        ? violation("states", "max_items", `must name each state at most once (at most ${STATE_COUNT})`)
        : [
            each("states", req.states, (path, state) => enumDefined(path, state, PaymentStateSchema)),
            new Set(req.states).size < req.states.length && violation("states", "unique", "must name each state at most once"),
          ],
    ]),
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

function httpUrl(value: string): boolean {
  if (!URL.canParse(value)) return false;
  const url = new URL(value);
  return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
}
