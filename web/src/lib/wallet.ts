// The wallet's history in words: what each kind of transaction did to the
// traveller's balance.
import { CreditReason, TransactionKind, type Transaction } from "../../../gen/itinera/wallet/v1/wallet_pb.js";

export function creditReasonLabel(reason: CreditReason): string {
  switch (reason) {
    case CreditReason.CASHBACK:
      return "Cashback";
    case CreditReason.REFUND:
      return "Refund";
    case CreditReason.PROMOTION:
      return "Promotion";
    default:
      return "Credit";
  }
}

/** What happened, e.g. "Cashback added", "Set aside for a booking". */
export function transactionLabel(t: Pick<Transaction, "kind" | "reason">): string {
  switch (t.kind) {
    case TransactionKind.CREDIT:
      return `${creditReasonLabel(t.reason)} added`;
    case TransactionKind.HOLD:
      return "Set aside for a booking";
    case TransactionKind.CAPTURE:
      return "Spent on a booking";
    case TransactionKind.RELEASE:
      return "Returned from a booking";
    default:
      return "Other";
  }
}

/**
 * "+" when money came into the available balance, "−" when it left it, "" when
 * the available balance did not move (capturing money already set aside).
 */
export function transactionSign(kind: TransactionKind): "+" | "−" | "" {
  switch (kind) {
    case TransactionKind.CREDIT:
    case TransactionKind.RELEASE:
      return "+";
    case TransactionKind.HOLD:
      return "−";
    default:
      return "";
  }
}
