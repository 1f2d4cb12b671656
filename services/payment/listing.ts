// ListPayments: the calling customer's own payments, newest first, page by
// page — "My trips" shows from it the attempts that never became a
// reservation (declined, pending, expired).
//
// The page token names the last payment of the previous page and the states
// asked for: the next page is what comes after that payment (by create time,
// then id), so payments recorded meanwhile never shift a page. The token is
// not signed: the customer is always the caller (never read from the token),
// and a token naming a payment that is not the caller's, or asked with other
// states, is refused as INVALID_ARGUMENT — an edited token can only move
// within the caller's own payments.
import { invalidArgument } from "../../endpoints/errors.js";
import { customerOf } from "../../endpoints/middleware/access.js";
import type { Service, Validators } from "../../endpoints/service.js";
import type { PaymentService, PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { paymentMessage, paymentStatus } from "./messages.js";
import type { PaymentStatus, PaymentStore } from "./store.js";
import { assertValid } from "./validators.js";

const DEFAULT_PAGE_SIZE = 20;

/** "<payment id>/<states, sorted, comma-separated>", base64url. */
export function encodePageToken(after: string, states: readonly PaymentState[]): string {
  return Buffer.from(`${after}/${statesKey(states)}`).toString("base64url");
}

/** The payment a token names, when it was written for these states; undefined otherwise. */
export function decodePageToken(token: string, states: readonly PaymentState[]): string | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(token)) return undefined;
  const m = /^(pay_[0-9a-f]{32})\/([0-9,]*)$/.exec(Buffer.from(token, "base64url").toString("utf8"));
  return m && m[2] === statesKey(states) ? m[1] : undefined;
}

const statesKey = (states: readonly PaymentState[]) => [...new Set(states)].sort((a, b) => a - b).join(",");

export function listing(
  store: PaymentStore,
  validators: Validators<typeof PaymentService>,
): Pick<Service<typeof PaymentService>, "listPayments"> {
  return {
    async listPayments(ctx, req) {
      const customerId = customerOf(ctx);
      assertValid(validators.listPayments, req);
      const size = req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE;
      let after: string | undefined;
      if (req.pageToken !== "") {
        after = decodePageToken(req.pageToken, req.states);
        // A token is the caller's own only: another customer's payment and no payment look alike.
        const mark = after === undefined ? undefined : await store.payment(after);
        if (!mark || mark.customerId !== customerId) {
          const description = "is not a page token from a previous response to this request (same states)";
          throw invalidArgument(`page_token: ${description}`, [{ field: "page_token", rule: "page_token", description }]);
        }
      }
      const states = req.states.map((s) => paymentStatus(s)).filter((s): s is PaymentStatus => s !== undefined);
      const rows = await store.customerPayments({ customerId, states, limit: size + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        payments: page.map(paymentMessage),
        nextPageToken: rows.length > size && last ? encodePageToken(last.paymentId, req.states) : "",
      };
    },
  };
}
