import { toBinary } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import {
  CaptureResponseSchema,
  CreditReason,
  CreditResponseSchema,
  HoldResponseSchema,
  HoldState,
  TransactionKind,
} from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { failure, walletFixture, type WalletFixture } from "./fixture.js";

let w: WalletFixture;
test.before(async () => {
  w = await walletFixture();
});
test.after(async () => {
  await w.close();
});

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });
let keys = 0;
const key = () => `key-${++keys}`;

async function credit(customerId: string, amountMinor: bigint, idempotencyKey = key()) {
  return w.client.credit(w.ctx, { idempotencyKey, customerId, amount: eur(amountMinor), reason: CreditReason.CASHBACK, reference: "booking-1" });
}

async function balance(customerId: string, currency = "EUR") {
  const { balance } = await w.client.getBalance(w.ctx, { customerId, currency });
  return { available: balance!.available!.amountMinor, held: balance!.held!.amountMinor };
}

test("an unknown customer has a zero balance, not an error", async () => {
  const { balance: b } = await w.client.getBalance(w.ctx, { customerId: "nobody", currency: "JPY" });
  assert.equal([b!.customerId, b!.available!.amountMinor, b!.available!.currency, b!.held!.amountMinor], ["nobody", 0n, "JPY", 0n]);
});

test("credit adds to the available balance and writes one statement line", async () => {
  const res = await credit("alice", 5000n);
  assert.is(res.transaction!.kind, TransactionKind.CREDIT);
  assert.is(res.transaction!.reason, CreditReason.CASHBACK);
  assert.is(res.transaction!.availableAfter!.amountMinor, 5000n);
  assert.is(res.balance!.available!.amountMinor, 5000n);
  await credit("alice", 1200n);
  assert.equal(await balance("alice"), { available: 6200n, held: 0n });
  assert.equal(await balance("alice", "USD"), { available: 0n, held: 0n }, "balances are per currency");
});

test("hold sets money aside; capture spends it; release gives it back", async () => {
  await credit("bob", 10_000n);
  const h1 = await w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "bob", amount: eur(3000n), reference: "res-1" });
  assert.is(h1.hold!.state, HoldState.HELD);
  assert.is(h1.hold!.reference, "res-1");
  assert.is(h1.hold!.settleTime, undefined);
  assert.equal(await balance("bob"), { available: 7000n, held: 3000n });

  const c = await w.client.capture(w.ctx, { idempotencyKey: key(), holdId: h1.hold!.holdId });
  assert.is(c.hold!.state, HoldState.CAPTURED);
  assert.ok(c.hold!.settleTime, "a settled hold has a settle time");
  assert.equal(await balance("bob"), { available: 7000n, held: 0n });

  const h2 = await w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "bob", amount: eur(2000n), reference: "res-2" });
  assert.equal(await balance("bob"), { available: 5000n, held: 2000n });
  const r = await w.client.release(w.ctx, { idempotencyKey: key(), holdId: h2.hold!.holdId });
  assert.is(r.hold!.state, HoldState.RELEASED);
  assert.equal([r.balance!.available!.amountMinor, r.balance!.held!.amountMinor], [7000n, 0n]);
  assert.equal(await balance("bob"), { available: 7000n, held: 0n });

  const kinds = (await w.client.listTransactions(w.ctx, { customerId: "bob" })).transactions.map((t) => t.kind);
  assert.equal(kinds, [TransactionKind.RELEASE, TransactionKind.HOLD, TransactionKind.CAPTURE, TransactionKind.HOLD, TransactionKind.CREDIT]);
});

test("a hold larger than the available balance fails with the amounts, and writes nothing", async () => {
  await credit("carol", 1200n);
  const before = await w.counts();
  const e = await failure(w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "carol", amount: eur(5000n) }));
  assert.is(e.code, Code.FailedPrecondition);
  assert.is(e.message, "available balance EUR 12.00 is less than the hold EUR 50.00");
  assert.equal(await w.counts(), before);
  const jpy = await failure(w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "carol", amount: { amountMinor: 500n, currency: "JPY" } }));
  assert.is(jpy.message, "available balance JPY 0 is less than the hold JPY 500");
});

test("capture of a released hold, release of a captured one, and settling twice with a new key all fail", async () => {
  await credit("dave", 1000n);
  const a = (await w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "dave", amount: eur(100n) })).hold!.holdId;
  const b = (await w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "dave", amount: eur(100n) })).hold!.holdId;
  await w.client.release(w.ctx, { idempotencyKey: key(), holdId: a });
  await w.client.capture(w.ctx, { idempotencyKey: key(), holdId: b });
  const before = await w.counts();
  const cases = [
    [() => w.client.capture(w.ctx, { idempotencyKey: key(), holdId: a }), `hold ${a} was released and cannot be captured`],
    [() => w.client.release(w.ctx, { idempotencyKey: key(), holdId: b }), `hold ${b} was captured and cannot be released`],
    [() => w.client.release(w.ctx, { idempotencyKey: key(), holdId: a }), `hold ${a} is already released`],
    [() => w.client.capture(w.ctx, { idempotencyKey: key(), holdId: b }), `hold ${b} is already captured`],
  ] as const;
  for (const [call, message] of cases) {
    const e = await failure(call());
    assert.is(e.code, Code.FailedPrecondition);
    assert.is(e.message, message);
  }
  assert.equal(await w.counts(), before);
  assert.equal(await balance("dave"), { available: 900n, held: 0n });
});

test("an unknown hold is NotFound", async () => {
  const id = "0b5e8a4c-4f7e-4a43-9d6e-2f1c3a9b7e10";
  const before = await w.counts();
  const e = await failure(w.client.capture(w.ctx, { idempotencyKey: key(), holdId: id }));
  assert.is(e.code, Code.NotFound);
  assert.is(e.message, `hold ${id} does not exist`);
  assert.is((await failure(w.client.release(w.ctx, { idempotencyKey: key(), holdId: id }))).code, Code.NotFound);
  assert.equal(await w.counts(), before);
});

test("a replay returns the identical response and writes nothing", async () => {
  await credit("erin", 1000n);
  const holdReq = { idempotencyKey: key(), customerId: "erin", amount: eur(400n), reference: "res-9" };
  const first = await w.client.hold(w.ctx, holdReq);
  const creditKey = key();
  const firstCredit = await credit("erin", 50n, creditKey);
  const captureReq = { idempotencyKey: key(), holdId: first.hold!.holdId };
  const firstCapture = await w.client.capture(w.ctx, captureReq);
  const before = await w.counts();

  const again = await w.client.hold(w.ctx, holdReq);
  assert.equal(toBinary(HoldResponseSchema, again), toBinary(HoldResponseSchema, first));
  assert.is(again.balance!.available!.amountMinor, 600n, "the balance as it was right after the first call");
  assert.equal(toBinary(CreditResponseSchema, await credit("erin", 50n, creditKey)), toBinary(CreditResponseSchema, firstCredit));
  assert.equal(toBinary(CaptureResponseSchema, await w.client.capture(w.ctx, captureReq)), toBinary(CaptureResponseSchema, firstCapture));

  assert.equal(await w.counts(), before);
  assert.equal(await balance("erin"), { available: 650n, held: 0n });
});

test("the same key with a different request is AlreadyExists and writes nothing", async () => {
  await credit("frank", 1000n);
  const k = key();
  await w.client.hold(w.ctx, { idempotencyKey: k, customerId: "frank", amount: eur(100n) });
  const before = await w.counts();
  const e = await failure(w.client.hold(w.ctx, { idempotencyKey: k, customerId: "frank", amount: eur(101n) }));
  assert.is(e.code, Code.AlreadyExists);
  assert.match(e.message, `idempotency key "${k}" was already used for a different Hold request`);
  const other = await failure(credit("frank", 100n, k));
  assert.is(other.code, Code.AlreadyExists, "a key used for Hold cannot be reused for Credit");
  assert.equal(await w.counts(), before);
  assert.equal(await balance("frank"), { available: 900n, held: 100n });
});

test("bad input: InvalidArgument, one violation per bad field, all at once, nothing written", async () => {
  const before = await w.counts();
  const fields = async (call: Promise<unknown>) => {
    const e = await failure(call);
    assert.is(e.code, Code.InvalidArgument);
    return e.violations.map((v) => `${v.field}:${v.rule}`);
  };
  assert.equal(await fields(w.client.credit(w.ctx, { idempotencyKey: "", customerId: "", amount: eur(0n) })), [
    "idempotency_key:required",
    "customer_id:required",
    "amount.amount_minor:gt_zero",
    "reason:enum_defined",
  ]);
  assert.equal(
    await fields(
      w.client.hold(w.ctx, {
        idempotencyKey: "k".repeat(129),
        customerId: "c".repeat(65),
        amount: { amountMinor: -5n, currency: "XXY" },
        reference: "r".repeat(129),
      }),
    ),
    ["idempotency_key:max_len", "customer_id:max_len", "amount.amount_minor:gt_zero", "amount.currency:iso4217", "reference:max_len"],
  );
  assert.equal(await fields(w.client.hold(w.ctx, { idempotencyKey: key(), customerId: "x" })), ["amount:required"]);
  assert.equal(await fields(w.client.capture(w.ctx, { idempotencyKey: key(), holdId: "h-1" })), ["hold_id:pattern"]);
  assert.equal(await fields(w.client.release(w.ctx, { idempotencyKey: key() })), ["hold_id:required"]);
  assert.equal(await fields(w.client.getBalance(w.ctx, { customerId: "", currency: "eur" })), ["customer_id:required", "currency:iso4217"]);
  assert.equal(await fields(w.client.listTransactions(w.ctx, { customerId: "a", currency: "XXY", pageSize: 101 })), [
    "currency:iso4217",
    "page_size:range",
  ]);
  assert.equal(await fields(w.client.listTransactions(w.ctx, { customerId: "a", pageToken: "bm90IGEgdG9rZW4" })), ["page_token:page_token"]);
  assert.equal(await w.counts(), before);
});

test.run();
