// What the wallet accepts, per method, checked by the validation middleware
// before the service runs: every bad field at once, one violation each.
import {
  currency,
  currencyCodes,
  enumDefined,
  maxLen,
  money,
  pageSize,
  pattern,
  required,
  validator,
} from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import { CreditReasonSchema, type WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The wallet's validators; the ISO-4217 list is computed once per call of this function. */
export function walletValidators(): Validators<typeof WalletService> {
  const currencies = currencyCodes();
  const idempotencyKey = (value: string) => required("idempotency_key", value, { maxLen: 128 });
  const customerId = (value: string) => required("customer_id", value, { maxLen: 64 });
  const holdId = (value: string) => [
    required("hold_id", value),
    pattern("hold_id", value, UUID, "a hold id as Hold returned it (a UUID)"),
  ];
  return {
    getBalance: validator((req) => [customerId(req.customerId), currency("currency", req.currency, currencies)]),
    credit: validator((req) => [
      idempotencyKey(req.idempotencyKey),
      customerId(req.customerId),
      money("amount", req.amount, currencies, { positive: true }),
      enumDefined("reason", req.reason, CreditReasonSchema),
      maxLen("reference", req.reference, 128),
    ]),
    hold: validator((req) => [
      idempotencyKey(req.idempotencyKey),
      customerId(req.customerId),
      money("amount", req.amount, currencies, { positive: true }),
      maxLen("reference", req.reference, 128),
    ]),
    capture: validator((req) => [idempotencyKey(req.idempotencyKey), holdId(req.holdId)]),
    release: validator((req) => [idempotencyKey(req.idempotencyKey), holdId(req.holdId)]),
    listTransactions: validator((req) => [
      customerId(req.customerId),
      req.currency !== "" && currency("currency", req.currency, currencies),
      pageSize("page_size", req.pageSize, 100),
    ]),
  };
}
