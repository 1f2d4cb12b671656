// `make start`'s demo data over the real processes (the marketplace of
// e2e/marketplace.fixture.ts): the first start makes the demo customer —
// signing up and following the link the SMTP sink received — and credits
// the welcome money; a second start signs in, and the wallet answers
// the replayed credit without moving money twice. The ingestion watcher says
// "done" only once the pull sellers synced after the given moment. The demo
// operator is a person whose sign-in token carries the operator role, made
// once; ITINERA_ENV=production refuses to make it.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { CreditReason } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { startMarketplace, type Marketplace } from "../e2e/marketplace.fixture.js";
import { until } from "../platform/processes.testing.js";
import { DEMO, DEMO_OPERATOR, ingestionDone, seedDemo, seedOperator } from "./demo.js";
import { tokenVerifier } from "../services/identity/verifier.js";

const SECRET = "demo-test-service-secret";
let m: Marketplace;
let startedAt: number;

test.before(async () => {
  startedAt = Date.now();
  // What the demo data and the ingestion watcher touch: identity, the wallet, the mailer and its SMTP sink, and
  // sellers syncing the pull sellers' sandboxes into catalog and pricing. Search, booking, payment and the BFF play no part.
  m = await startMarketplace(
    { OPERATOR_SERVICE_SECRET: SECRET },
    { only: ["smtp", "identity", "wallet", "mailer", "catalog", "pricing", "sellers", "casa", "skylark"] },
  );
});

test.after(async () => {
  await m?.close();
});

test("the first start makes the demo customer and credits EUR 150.00; the second reuses both and credits nothing", async () => {
  const urls = { identityUrl: m.system.url("identity"), walletUrl: m.system.url("wallet"), inboxUrl: m.system.url("smtp"), env: { OPERATOR_SERVICE_SECRET: SECRET } };
  const first = await seedDemo(urls);
  assert.ok(first.created);
  assert.is(first.availableMinor, 15_000n);

  const second = await seedDemo(urls);
  assert.not.ok(second.created, "the account of the first start is signed in to");
  assert.is(second.customerId, first.customerId);
  assert.is(second.availableMinor, 15_000n, "nothing credited twice");

  const history = await m.clients.wallet.listTransactions(m.ctx(await m.service("operator")), { customerId: first.customerId, currency: "EUR", pageSize: 50 });
  assert.is(history.transactions.length, 1);
  assert.is(history.transactions[0]!.reason, CreditReason.PROMOTION);
  assert.is(history.transactions[0]!.amount?.amountMinor, DEMO.creditMinor);
});

test("a wrong service secret is refused: no money moves without a service's token", async () => {
  const urls = { identityUrl: m.system.url("identity"), walletUrl: m.system.url("wallet"), inboxUrl: m.system.url("smtp"), env: { OPERATOR_SERVICE_SECRET: "not-the-secret" } };
  await seedDemo(urls).then(
    () => assert.unreachable("seeding with a wrong secret succeeded"),
    (e: unknown) => assert.match(String(e), /secret|unauthenticated|permission/i),
  );
});

test("the demo operator signs in with the operator role; a second start reuses it; production refuses to make one", async () => {
  const urls = { identityUrl: m.system.url("identity"), walletUrl: m.system.url("wallet"), inboxUrl: m.system.url("smtp"), env: { OPERATOR_SERVICE_SECRET: SECRET } };
  const first = await seedOperator(urls);
  const second = await seedOperator(urls);
  assert.equal([first.created, second.created, second.customerId], [true, false, first.customerId]);
  const { tokens } = await m.clients.identity.signIn(m.ctx(), { email: DEMO_OPERATOR.email, password: DEMO_OPERATOR.password });
  const verify = tokenVerifier({ jwksUrl: new URL("/.well-known/jwks.json", m.system.url("identity")) });
  assert.equal((await verify(tokens!.accessToken)).roles, ["customer", "operator"]);

  const production = seedOperator({ ...urls, env: { ...urls.env, ITINERA_ENV: "production" } });
  await production.then(
    () => assert.unreachable("a demo operator was made in production"),
    (e: unknown) => assert.match(String(e), /no demo operator in production/),
  );
});

/** ListSellers calls the sellers service has answered, from its /metrics. */
async function listSellersCalls(): Promise<number> {
  const metrics = await (await fetch(`${m.system.url("sellers")}/metrics`)).text();
  return metrics
    .split("\n")
    .filter((l) => l.startsWith('rpc_requests_total{side="server"') && l.includes('method="ListSellers"'))
    .reduce((n, l) => n + Number(l.split(" ").at(-1)), 0);
}

test("the ingestion watcher answers once every pull seller synced after the start, and stops when told", async () => {
  const urls = { sellersUrl: m.system.url("sellers"), identityUrl: m.system.url("identity"), env: { OPERATOR_SERVICE_SECRET: SECRET } };
  assert.ok(await ingestionDone({ ...urls, since: startedAt, signal: new AbortController().signal, timeoutMs: 120_000 }));
  // Nothing has synced since a moment in the future: the watcher asks, waits, asks again — and gives up when aborted.
  const stop = new AbortController();
  const asked = await listSellersCalls();
  const waiting = ingestionDone({ ...urls, since: Date.now() + 3_600_000, signal: stop.signal });
  await until("the watcher asking sellers twice", async () => ((await listSellersCalls()) >= asked + 2 ? true : undefined), 30_000);
  stop.abort();
  assert.is(await waiting, false);
});

test.run();
