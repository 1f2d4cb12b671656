// ListPayments: the calling customer's own payments, newest first, page by
// page — "My trips" shows from it the attempts that never became a
// reservation (declined, pending, expired).
//
// The page token names the last payment of the previous page, signed for the
// caller and the states asked for: the next page is what comes after that
// payment (by create time, then id), so payments recorded meanwhile never
// shift a page; a token edited, forged, or written for another customer or
// other states is refused as INVALID_ARGUMENT.
import { customerOf } from "../../endpoints/middleware/access.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Service, Validators } from "../../endpoints/service.js";
import type { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { paymentCursor } from "./list-cursor.js";
import { paymentMessage, paymentStatus } from "./messages.js";
import type { PaymentStatus, PaymentStore } from "./store.js";
import { assertValid } from "./validators.js";

const DEFAULT_PAGE_SIZE = 20;

/** The states asked for, as a token's scope: their order and repeats do not matter. */
const statesKey = (states: readonly PaymentState[]) => [...new Set(states)].sort((a, b) => a - b).join(",");

export function listing(
  store: PaymentStore,
  validators: Validators<typeof PaymentService>,
  pageTokenSecret: string,
): Pick<Service<typeof PaymentService>, "listPayments"> {
  const tokens = pageTokens({ secret: pageTokenSecret, list: "ListPayments", codec: paymentCursor, scopeIs: "customer and states" });
  return {
    async listPayments(ctx, req) {
      const customerId = customerOf(ctx);
      assertValid(validators.listPayments, req);
      const size = req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE;
      const scope = [customerId, statesKey(req.states)];
      const after = tokens.start(scope, req.pageToken);
      const states = req.states.map((s) => paymentStatus(s)).filter((s): s is PaymentStatus => s !== undefined);
      const rows = await store.customerPayments({ customerId, states, limit: size + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        payments: page.map(paymentMessage),
        nextPageToken: rows.length > size && last ? tokens.encode(scope, last.paymentId) : "",
      };
    },
  };
}
