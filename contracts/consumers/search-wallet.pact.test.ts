// search → wallet: what search's wallet branch (services/search/plan.ts
// balanceBranch) needs from WalletService.GetBalance, written by running that
// very code over a Connect JSON client against Pact's mock server.
//
// Search reads balance.available.amount_minor (any int64) and
// balance.available.currency (it must be the currency asked for, or search
// shows no markdown). A customer the wallet never saw has a zero balance, not
// an error: proto JSON leaves the zero amount out, and search reads that as 0.
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { balanceBranch } from "../../services/search/plan.js";
import { DEFAULT_BUDGETS } from "../../services/search/settings.js";
import { overWire } from "./calls.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, int64String, withBearer } from "../pact.js";

const ctx = backgroundContext({ log: pino({ level: "silent" }) });
let pact: ConsumerPact;

/** Search's wallet branch, as search runs it, calling `url`. */
function searchReadsBalance(url: string, customerId: string) {
  const wallet = overWire(WalletService, url, "search");
  return balanceBranch(wallet, customerId, "EUR", DEFAULT_BUDGETS).run(ctx, {});
}

test.before(async () => {
  pact = await consumerPact("search", "wallet");
});
test.after(async () => {
  await pact?.close();
});

test("a customer with money: search reads the available amount in the currency it asked for", async () => {
  const available = await pact
    .interaction()
    .given("a customer has a wallet balance", { customerId: "c-1", currency: "EUR", amountMinor: "10000" })
    .uponReceiving("a balance request for a customer with money")
    .withRequest(...withBearer(connectRequest(WalletService.method.getBalance, { customerId: "c-1", currency: "EUR" })))
    .willRespondWith(...connectResponse({ balance: { available: { amountMinor: int64String("10000"), currency: "EUR" } } }))
    .executeTest((mock) => searchReadsBalance(mock.url, "c-1"));
  assert.is(available, 10000n);
});

test("a customer the wallet never saw: a zero balance, which search reads as no markdown", async () => {
  const available = await pact
    .interaction()
    .given("a customer has no wallet", { customerId: "c-2" })
    .uponReceiving("a balance request for a customer without a wallet")
    .withRequest(...withBearer(connectRequest(WalletService.method.getBalance, { customerId: "c-2", currency: "EUR" })))
    .willRespondWith(...connectResponse({ balance: { available: { currency: "EUR" } } }))
    .executeTest((mock) => searchReadsBalance(mock.url, "c-2"));
  assert.is(available, 0n);
});

test("the pact is the committed contracts/pacts/search-wallet.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
