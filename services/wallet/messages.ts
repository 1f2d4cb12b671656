// Store rows as wallet messages (and the enums both ways).
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  CreditReason,
  HoldState,
  TransactionKind,
  type BalanceSchema,
  type HoldSchema,
  type TransactionSchema,
} from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { BalanceRow, CreditCause, HoldRow, HoldStatus, TransactionRow, TransactionType } from "./store.js";

const HOLD_STATES: Record<HoldStatus, HoldState> = {
  held: HoldState.HELD,
  captured: HoldState.CAPTURED,
  released: HoldState.RELEASED,
};

const KINDS: Record<TransactionType, TransactionKind> = {
  credit: TransactionKind.CREDIT,
  hold: TransactionKind.HOLD,
  capture: TransactionKind.CAPTURE,
  release: TransactionKind.RELEASE,
};

const REASONS: Record<CreditCause, CreditReason> = {
  cashback: CreditReason.CASHBACK,
  refund: CreditReason.REFUND,
  promotion: CreditReason.PROMOTION,
};

/** The store's name of a credit reason; undefined for UNSPECIFIED or an unknown number. */
export function creditCause(reason: CreditReason): CreditCause | undefined {
  return (Object.keys(REASONS) as CreditCause[]).find((cause) => REASONS[cause] === reason);
}

export function balanceMessage(b: BalanceRow): MessageInitShape<typeof BalanceSchema> {
  return {
    customerId: b.customerId,
    available: { amountMinor: b.availableMinor, currency: b.currency },
    held: { amountMinor: b.heldMinor, currency: b.currency },
  };
}

export function zeroBalance(customerId: string, currency: string): MessageInitShape<typeof BalanceSchema> {
  return balanceMessage({ customerId, currency, availableMinor: 0n, heldMinor: 0n });
}

export function holdMessage(h: HoldRow): MessageInitShape<typeof HoldSchema> {
  return {
    holdId: h.holdId,
    customerId: h.customerId,
    amount: { amountMinor: h.amountMinor, currency: h.currency },
    state: HOLD_STATES[h.state],
    reference: h.reference,
    createTime: timestampFromDate(h.createTime),
    ...(h.settleTime ? { settleTime: timestampFromDate(h.settleTime) } : {}),
  };
}

export function transactionMessage(t: TransactionRow): MessageInitShape<typeof TransactionSchema> {
  return {
    transactionId: t.transactionId,
    customerId: t.customerId,
    kind: KINDS[t.kind],
    amount: { amountMinor: t.amountMinor, currency: t.currency },
    holdId: t.holdId ?? "",
    reference: t.reference,
    reason: t.reason ? REASONS[t.reason] : CreditReason.UNSPECIFIED,
    createTime: timestampFromDate(t.createTime),
    availableAfter: { amountMinor: t.availableAfterMinor, currency: t.currency },
  };
}
