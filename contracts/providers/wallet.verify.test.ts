// The wallet against every committed pact that names it: the real server,
// wired as services/wallet/main.ts wires it (endpointsOf + serverStack +
// serveService with bearer-token authentication + startServer) on its own
// PostgreSQL database, with provider states set up through the real wallet
// service. Each consumer calls with its own identity (testTokens, whose
// authenticate the server uses), sent by the verifier in place of the pact's
// example: booking's commands and search's balance reads with their service
// tokens; the web BFF reads a customer's own wallet with the customer's token,
// which the states answer as customerToken.
//
// And the check that verification can fail: the same wallet, except that
// GetBalance leaves balance.available out, must not pass search's pact.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { CreditReason, HoldState } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../../services/identity/testing.js";
import { TEST_PAGE_TOKEN_SECRET, walletFixture, type WalletFixture } from "../../services/wallet/fixture.js";
import { walletService } from "../../services/wallet/service.js";
import { WalletStore } from "../../services/wallet/store.js";
import { walletValidators } from "../../services/wallet/validators.js";
import type { Service } from "../../endpoints/service.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates } from "../pact.js";

const log = pino({ level: "silent" });
let w: WalletFixture;
let tracing: Tracing;
let tokens: TestTokens;
const servers: RunningServer[] = [];

/** A wallet server exactly as main.ts builds one, around `wallet`. */
async function serveWallet(wallet: Service<typeof WalletService>): Promise<RunningServer> {
  const registry = new Registry();
  const endpoints = endpointsOf(
    WalletService,
    wallet,
    ...serverStack({ registry, tracer: tracing.tracer, validators: walletValidators() }),
  );
  const server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, WalletService, endpoints, { log, authenticate: tokens.authenticate }),
    ready: w.database.ready,
    metrics: registry,
  });
  servers.push(server);
  return server;
}

/** The token of the state's customer, for the requests that forward a customer's own. */
const customerToken = async (customerId: string) => (await tokens.customer(customerId)).token!;

/** The states wallet's consumers name, set up through the wallet service itself. */
const walletStates = (): ProviderStates => ({
  async "a customer has a wallet balance"(params) {
    const [customerId, currency] = [stringParam(params, "customerId"), stringParam(params, "currency")];
    const wanted = BigInt(stringParam(params, "amountMinor"));
    const res = await w.client.getBalance(w.ctx, { customerId, currency });
    const has = res.balance?.available?.amountMinor ?? 0n;
    if (has > wanted) throw new Error(`customer ${customerId} already has ${has} ${currency}, more than the state's ${wanted}`);
    if (has < wanted) {
      await w.client.credit(w.ctx, {
        idempotencyKey: `pact-state-${customerId}-${currency}-${wanted}`,
        customerId,
        amount: { amountMinor: wanted - has, currency },
        reason: CreditReason.PROMOTION,
        reference: "pact provider state",
      });
    }
    return { customerToken: await customerToken(customerId) };
  },
  async "a customer has money held"(params) {
    const [customerId, currency] = [stringParam(params, "customerId"), stringParam(params, "currency")];
    const amountMinor = BigInt(stringParam(params, "amountMinor"));
    const key = `pact-state-${customerId}-${currency}-${amountMinor}`;
    await w.client.credit(w.ctx, { idempotencyKey: `${key}-credit`, customerId, amount: { amountMinor, currency }, reason: CreditReason.PROMOTION, reference: "pact provider state" });
    const { hold } = await w.client.hold(w.ctx, { idempotencyKey: `${key}-hold`, customerId, amount: { amountMinor, currency }, reference: "pact provider state" });
    if (hold?.state !== HoldState.HELD) throw new Error(`the hold of ${customerId}'s ${amountMinor} ${currency} is not HELD but ${hold?.state}`);
    return { holdId: hold.holdId, customerToken: await customerToken(customerId) };
  },
  async "a customer has no wallet"(params) {
    const customerId = stringParam(params, "customerId");
    const { transactions } = await w.client.listTransactions(w.ctx, { customerId, pageSize: 1 });
    if (transactions.length > 0) throw new Error(`customer ${customerId} has wallet transactions; the state needs one without`);
  },
});

test.before(async () => {
  w = await walletFixture();
  tracing = createTracing({ serviceName: "wallet" });
  tokens = await testTokens();
});
test.after(async () => {
  await Promise.all(servers.map((s) => s.close(5_000)));
  await tracing?.shutdown();
  await w?.close();
});

test("the real wallet satisfies every pact that names it", async () => {
  const server = await serveWallet(walletService({ store: new WalletStore(w.database.knex), pageTokenSecret: TEST_PAGE_TOKEN_SECRET }));
  const bearerTokens = { booking: (await tokens.service("booking")).token!, search: (await tokens.service("search")).token! };
  const result = await verifyProvider("wallet", server.url, walletStates(), { bearerTokens });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["booking-wallet.json", "search-wallet.json", "web-wallet.json"],
  );
  assert.ok(result.interactions >= 9, `${result.interactions} interactions`);
  // The states really went through the wallet: c-1 holds what the pact asked for.
  const balance = await w.client.getBalance(w.ctx, { customerId: "c-1", currency: "EUR" });
  assert.is(balance.balance?.available?.amountMinor, 10000n);
  // And booking's commands took effect: c-41 had 50.00, 30.00 of it is held for the reservation.
  const held = await w.client.getBalance(w.ctx, { customerId: "c-41", currency: "EUR" });
  assert.equal([held.balance?.available?.amountMinor, held.balance?.held?.amountMinor], [2000n, 3000n]);
  // The web BFF's wallet page: c-81 has 100.00 available and 30.00 held.
  const page = await w.client.getBalance(w.ctx, { customerId: "c-81", currency: "EUR" });
  assert.equal([page.balance?.available?.amountMinor, page.balance?.held?.amountMinor], [10000n, 3000n]);
});

test("a wallet whose GetBalance leaves balance.available out fails search's pact", async () => {
  const real = walletService({ store: new WalletStore(w.database.knex), pageTokenSecret: TEST_PAGE_TOKEN_SECRET });
  const server = await serveWallet({
    ...real,
    async getBalance(ctx, req) {
      const { balance } = await real.getBalance(ctx, req);
      return { balance: { ...balance, available: undefined } };
    },
  });
  const failure = await verifyProvider("wallet", server.url, walletStates(), {
    pactFiles: [`${PACTS_DIR}search-wallet.json`],
    bearerTokens: { search: (await tokens.service("search")).token! },
  }).then(
    () => undefined,
    (e: unknown) => (e instanceof Error ? e : new Error(String(e))),
  );
  assert.ok(failure, "verification passed against a wallet without balance.available");
  assert.match(failure.message, "a balance request for a customer with money");
  assert.match(failure.message, "$.balance: Actual map is missing the following keys: available");
});

test.run();
