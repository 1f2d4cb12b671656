// Store rows as payment messages (and the states both ways).
import { fromBinary, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { PaymentState, type PaymentSchema } from "../../gen/itinera/payment/v1/payment_pb.js";
import { ItemSchema } from "../../gen/itinera/type/v1/item_pb.js";
import type { PaymentRow, PaymentStatus } from "./store.js";

const STATES: Record<PaymentStatus, PaymentState> = {
  pending: PaymentState.PENDING,
  authorised: PaymentState.AUTHORISED,
  declined: PaymentState.DECLINED,
  expired: PaymentState.EXPIRED,
};

export function paymentState(status: PaymentStatus): PaymentState {
  return STATES[status];
}

/** The store's status of a contract's state; undefined for UNSPECIFIED or a number the contract does not define. */
export function paymentStatus(state: PaymentState): PaymentStatus | undefined {
  return (Object.keys(STATES) as PaymentStatus[]).find((status) => STATES[status] === state);
}

export function paymentMessage(p: PaymentRow): MessageInitShape<typeof PaymentSchema> {
  return {
    paymentId: p.paymentId,
    customerId: p.customerId,
    item: fromBinary(ItemSchema, p.item),
    amount: { amountMinor: p.amountMinor, currency: p.currency },
    markdown: { amountMinor: p.markdownMinor, currency: p.currency },
    state: STATES[p.state],
    redirectUrl: p.redirectUrl ?? "",
    returnUrl: p.returnUrl,
    declineReason: p.declineReason,
    refunded: { amountMinor: p.refundedMinor, currency: p.currency },
    createTime: timestampFromDate(p.createTime),
    updateTime: timestampFromDate(p.updateTime),
    ...(p.authoriseTime ? { authoriseTime: timestampFromDate(p.authoriseTime) } : {}),
  };
}
