import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { CreditReason } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { walletFixture, type WalletFixture } from "./fixture.js";

let w: WalletFixture;
test.before(async () => {
  w = await walletFixture({ poolMax: 12 });
});
test.after(async () => {
  await w.close();
});

const eur = (amountMinor: bigint) => ({ amountMinor, currency: "EUR" });

test("50 concurrent holds of 7 on a balance of 100: exactly 14 succeed, 36 fail, never below zero", async () => {
  await w.client.credit(w.ctx, { idempotencyKey: "seed", customerId: "zoe", amount: eur(100n), reason: CreditReason.PROMOTION });
  const results = await Promise.allSettled(
    Array.from({ length: 50 }, (_, i) =>
      w.client.hold(w.ctx, { idempotencyKey: `hold-${i}`, customerId: "zoe", amount: eur(7n), reference: `res-${i}` }),
    ),
  );
  const ok = results.filter((r) => r.status === "fulfilled");
  const failed = results.filter((r): r is PromiseRejectedResult => r.status === "rejected");
  assert.is(ok.length, 14);
  assert.is(failed.length, 36);
  for (const f of failed) {
    assert.instance(f.reason, KitError);
    assert.is((f.reason as KitError).code, Code.FailedPrecondition, String(f.reason));
  }
  // Every success saw a distinct, non-negative balance: the holds were serialised.
  const afters = ok.map((r) => r.value.balance!.available!.amountMinor).sort((a, b) => Number(b - a));
  assert.equal(afters, Array.from({ length: 14 }, (_, i) => 100n - 7n * BigInt(i + 1)));
  const { balance } = await w.client.getBalance(w.ctx, { customerId: "zoe", currency: "EUR" });
  assert.equal([balance!.available!.amountMinor, balance!.held!.amountMinor], [2n, 98n]);
  const counts = await w.counts();
  assert.equal([counts.holds, counts.transactions, counts.commands], [14, 15, 15]);
});

test("concurrent replays of one key make exactly one hold, and all answer the same", async () => {
  await w.client.credit(w.ctx, { idempotencyKey: "seed-2", customerId: "yann", amount: eur(1000n), reason: CreditReason.PROMOTION });
  const before = await w.counts();
  const responses = await Promise.all(
    Array.from({ length: 30 }, () =>
      w.client.hold(w.ctx, { idempotencyKey: "the-one", customerId: "yann", amount: eur(300n), reference: "res-x" }),
    ),
  );
  assert.is(new Set(responses.map((r) => r.hold!.holdId)).size, 1);
  assert.ok(responses.every((r) => r.balance!.available!.amountMinor === 700n));
  const after = await w.counts();
  assert.equal([after.holds - before.holds, after.transactions - before.transactions, after.commands - before.commands], [1, 1, 1]);
  const { balance } = await w.client.getBalance(w.ctx, { customerId: "yann", currency: "EUR" });
  assert.equal([balance!.available!.amountMinor, balance!.held!.amountMinor], [700n, 300n]);
});

test("concurrent captures and releases of one hold with different keys: exactly one settles it", async () => {
  const { hold } = await w.client.hold(w.ctx, { idempotencyKey: "to-settle", customerId: "yann", amount: eur(100n) });
  const results = await Promise.allSettled(
    Array.from({ length: 20 }, (_, i) =>
      i % 2 === 0
        ? w.client.capture(w.ctx, { idempotencyKey: `cap-${i}`, holdId: hold!.holdId })
        : w.client.release(w.ctx, { idempotencyKey: `rel-${i}`, holdId: hold!.holdId }),
    ),
  );
  assert.is(results.filter((r) => r.status === "fulfilled").length, 1);
  assert.ok(results.every((r) => r.status === "fulfilled" || (r.reason as KitError).code === Code.FailedPrecondition));
  const { balance } = await w.client.getBalance(w.ctx, { customerId: "yann", currency: "EUR" });
  const total = balance!.available!.amountMinor + balance!.held!.amountMinor;
  assert.is(total === 1000n || total === 900n, true, "released: all back; captured: 100 spent");
  assert.is(balance!.held!.amountMinor, 300n, "only the first hold is still held");
});

test.run();
