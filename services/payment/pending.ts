// ListPendingPayments: an operator's look at the payments the gateway has
// not decided for longer than expected, oldest first, a page at a time.
// "Longer than expected" defaults to half of the expiry (PAYMENT_EXPIRE_MS /
// 2): these payments are half-way to being swept by expiry.ts, so an
// operator sees a gateway that stopped calling back before the customers'
// payments expire. The answer carries ids, amounts and times only — no card
// data (payment never holds any) and no e-mail (payment knows none).
//
// The page token is the last payment id of the previous page, signed for the
// threshold asked for: the next page starts after that payment (by create
// time, then id), so payments decided meanwhile never shift a page.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { pageTokens } from "../../endpoints/page-tokens.js";
import type { Service } from "../../endpoints/service.js";
import type { PaymentService } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { PaymentStore } from "./store.js";
import { paymentCursor } from "./list-cursor.js";
import { assertValid, listPendingPaymentsValidator } from "./validators.js";

const DEFAULT_PAGE_SIZE = 20;

export interface PendingDeps {
  store: PaymentStore;
  /** The default threshold: half of PAYMENT_EXPIRE_MS (main.ts). */
  pendingAfterMs: number;
  /** Signs its page tokens (PAYMENT_PAGE_TOKEN_SECRET). */
  pageTokenSecret: string;
  now?: () => Date;
}

export function pendingPayments(deps: PendingDeps): Pick<Service<typeof PaymentService>, "listPendingPayments"> {
  const now = deps.now ?? (() => new Date());
  const tokens = pageTokens({ secret: deps.pageTokenSecret, list: "ListPendingPayments", codec: paymentCursor, scopeIs: "older_than_seconds" });
  return {
    async listPendingPayments(_ctx, req) {
      assertValid(listPendingPaymentsValidator, req);
      const olderThanSeconds = req.olderThanSeconds || Math.max(1, Math.round(deps.pendingAfterMs / 1000));
      const scope = [String(req.olderThanSeconds)];
      const after = tokens.start(scope, req.pageToken);
      const size = req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE_SIZE;
      const before = new Date(now().getTime() - olderThanSeconds * 1000);
      const rows = await deps.store.pendingSince({ before, limit: size + 1, ...(after ? { after } : {}) });
      const page = rows.slice(0, size);
      const last = page.at(-1);
      return {
        olderThanSeconds,
        payments: page.map((p) => ({
          paymentId: p.paymentId,
          customerId: p.customerId,
          amount: { amountMinor: p.amountMinor, currency: p.currency },
          createTime: timestampFromDate(p.createTime),
          sessionOpened: p.sessionId !== null,
        })),
        nextPageToken: rows.length > size && last ? tokens.encode(scope, last.paymentId) : "",
      };
    },
  };
}
