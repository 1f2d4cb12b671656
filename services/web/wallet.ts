// The wallet page: the signed-in customer's own balance and history (the
// customer id is the principal's, never a request field).
import { customerOf } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import type { WebService } from "../../gen/itinera/web/v1/web_pb.js";
import type { WebServiceDeps, WebSettings } from "./deps.js";

const DEFAULT_PAGE = 20;

export function walletPage(deps: WebServiceDeps, settings: WebSettings): Pick<Service<typeof WebService>, "getWallet"> {
  return {
    async getWallet(ctx, req) {
      const customerId = customerOf(ctx);
      const currency = settings.currency;
      const [balance, history] = await Promise.all([
        deps.wallet.getBalance(ctx, { customerId, currency }),
        deps.wallet.listTransactions(ctx, {
          customerId,
          currency,
          pageSize: req.pageSize > 0 ? req.pageSize : DEFAULT_PAGE,
          pageToken: req.pageToken,
        }),
      ]);
      const zero = { amountMinor: 0n, currency };
      return {
        available: balance.balance?.available ?? zero,
        held: balance.balance?.held ?? zero,
        transactions: history.transactions,
        nextPageToken: history.nextPageToken,
      };
    },
  };
}
