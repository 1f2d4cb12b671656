// web → wallet: what the BFF's wallet page (services/web/wallet.ts,
// GetWallet) needs from WalletService, written by running the BFF
// (web-harness.ts) for a signed-in browser with the wallet method under test
// over Connect JSON against Pact's mock server.
//
// GetWallet asks for the balance and a page of history at once, for the
// signed-in customer (the session's, never a request field) in EUR. From
// GetBalance the page shows balance.available and balance.held; from
// ListTransactions each line's id, kind, credit reason, reference, amount,
// the available balance after it and its time (one page here: no next page's token).
// Neither method needs a token (the BFF sends the customer's own; the wallet
// reads none for these), and the BFF handles no error code of them: any
// failure is the page's "could not reach your wallet".
import { test } from "uvu";
import * as assert from "uvu/assert";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, Matchers, withCustomerBearer } from "../pact.js";
import { overWire } from "./calls.js";
import { withBff, type Wired } from "./web-harness.js";

const { eachLike, like, regex } = Matchers;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const money = (amountMinor: string) => ({ amountMinor: int64String(amountMinor), currency: "EUR" });
let pact: ConsumerPact;

/** The wallet page of `customerId`, as the BFF answers a signed-in browser, with `wired` over the wire. */
const walletPage = (wired: Wired["wallet"], customerId: string) =>
  withBff({ wallet: wired ?? {} }, async (bff) => {
    const answer = await (await bff.signedIn(customerId)).call("GetWallet", { pageSize: 20 });
    if (answer.status !== 200) throw new Error(`GetWallet answered ${answer.status}: ${JSON.stringify(answer.body)}`);
    return answer.body as { available?: { amountMinor?: string }; held?: { amountMinor?: string }; transactions?: { transactionId: string }[] };
  });

test.before(async () => {
  pact = await consumerPact("web", "wallet");
});
test.after(async () => {
  await pact?.close();
});

test("the wallet page's balance: what is available and what is held for bookings", async () => {
  const page = await pact
    .interaction()
    .given("a customer has a wallet balance", { customerId: "c-81", currency: "EUR", amountMinor: "10000" })
    .given("a customer has money held", { customerId: "c-81", currency: "EUR", amountMinor: "3000" })
    .uponReceiving("a balance request for the wallet page")
    .withRequest(...withCustomerBearer(connectRequest(WalletService.method.getBalance, { customerId: "c-81", currency: "EUR" })))
    .willRespondWith(...connectResponse({ balance: { available: money("10000"), held: money("3000") } }))
    .executeTest((mock) => walletPage({ getBalance: overWire(WalletService, mock.url).getBalance }, "c-81"));
  assert.equal([page?.available?.amountMinor, page?.held?.amountMinor], ["10000", "3000"]);
});

test("the wallet page's history: the newest lines, each in words, and where the next page starts", async () => {
  const page = await pact
    .interaction()
    .given("a customer has a wallet balance", { customerId: "c-82", currency: "EUR", amountMinor: "2500" })
    .uponReceiving("the first page of a customer's wallet history")
    .withRequest(...withCustomerBearer(connectRequest(WalletService.method.listTransactions, { customerId: "c-82", currency: "EUR", pageSize: 20 })))
    .willRespondWith(
      ...connectResponse({
        transactions: eachLike({
          transactionId: like("txn_01"),
          kind: regex(/^TRANSACTION_KIND_CREDIT$/, "TRANSACTION_KIND_CREDIT"),
          reason: regex(/^CREDIT_REASON_[A-Z]+$/, "CREDIT_REASON_PROMOTION"),
          reference: like("pact provider state"),
          amount: money("2500"),
          availableAfter: money("2500"),
          createTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
        }),
      }),
    )
    .executeTest((mock) => walletPage({ listTransactions: overWire(WalletService, mock.url).listTransactions }, "c-82"));
  assert.equal(page?.transactions?.map((t) => t.transactionId), ["txn_01"]);
});

test("the pact is the committed contracts/pacts/web-wallet.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
