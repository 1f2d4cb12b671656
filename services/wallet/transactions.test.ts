import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { CreditReason, type Transaction } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { failure, walletFixture, type WalletFixture } from "./fixture.js";

// A clock that moves 1 ms every third call: many transactions share a create_time,
// so the order (and the cursor) must fall back on transaction_id.
let calls = 0;
const start = Date.parse("2030-01-01T00:00:00Z");
const now = () => new Date(start + Math.floor(calls++ / 3));

let w: WalletFixture;
test.before(async () => {
  w = await walletFixture({ now });
  for (let i = 1; i <= 45; i++) {
    await w.client.credit(w.ctx, {
      idempotencyKey: `p-${i}`,
      customerId: "paula",
      amount: { amountMinor: BigInt(i), currency: i % 5 === 0 ? "USD" : "EUR" },
      reason: CreditReason.PROMOTION,
      reference: `promo-${i}`,
    });
  }
  await w.client.credit(w.ctx, { idempotencyKey: "other", customerId: "someone-else", amount: { amountMinor: 1n, currency: "EUR" }, reason: CreditReason.REFUND });
});
test.after(async () => {
  await w.close();
});

async function everyPage(req: { customerId: string; currency?: string; pageSize?: number }) {
  const pages: Transaction[][] = [];
  let pageToken = "";
  do {
    const res = await w.client.listTransactions(w.ctx, { ...req, pageToken });
    pages.push(res.transactions);
    pageToken = res.nextPageToken;
    assert.ok(pages.length < 20, "pagination must end");
  } while (pageToken !== "");
  return pages;
}

test("45 transactions in pages of 20: 20, 20, 5, newest first, no duplicates, no gaps", async () => {
  const pages = await everyPage({ customerId: "paula", pageSize: 20 });
  assert.equal(pages.map((p) => p.length), [20, 20, 5]);
  const references = pages.flat().map((t) => t.reference);
  const expected = Array.from({ length: 45 }, (_, i) => `promo-${45 - i}`);
  assert.equal(references, expected, "exactly the 45 credits, newest first");
  assert.is(new Set(pages.flat().map((t) => t.transactionId)).size, 45);
});

test("page size 0 means 20; the currency filter applies across pages", async () => {
  const first = await w.client.listTransactions(w.ctx, { customerId: "paula" });
  assert.is(first.transactions.length, 20);
  assert.ok(first.nextPageToken !== "");
  const usd = (await everyPage({ customerId: "paula", currency: "USD", pageSize: 4 })).flat();
  assert.equal(usd.map((t) => t.amount!.amountMinor), [45n, 40n, 35n, 30n, 25n, 20n, 15n, 10n, 5n]);
  assert.ok(usd.every((t) => t.amount!.currency === "USD" && t.availableAfter!.currency === "USD"));
  assert.equal(usd[0]!.availableAfter!.amountMinor, 225n, "available after the newest USD credit: 5+10+…+45");
});

test("a customer without transactions gets an empty last page", async () => {
  const res = await w.client.listTransactions(w.ctx, { customerId: "nobody" });
  assert.equal([res.transactions.length, res.nextPageToken], [0, ""]);
});

test("a tampered page token, or one of another customer or currency, is InvalidArgument on page_token", async () => {
  const { nextPageToken } = await w.client.listTransactions(w.ctx, { customerId: "paula", pageSize: 5 });
  const [, mac] = nextPageToken.split(".") as [string, string];
  const made = `${Buffer.from("1.1").toString("base64url")}.${mac}`;
  for (const token of [nextPageToken.slice(0, -3), `${nextPageToken}!`, made, Buffer.from(`{"t":"1","s":"x"}`).toString("base64url")]) {
    const e = await failure(w.client.listTransactions(w.ctx, { customerId: "paula", pageToken: token }));
    assert.is(e.code, Code.InvalidArgument);
    assert.equal(e.violations.map((v) => v.field), ["page_token"]);
  }
  for (const other of [{ customerId: "nobody" }, { customerId: "paula", currency: "USD" }]) {
    const e = await failure(w.client.listTransactions(w.ctx, { ...other, pageToken: nextPageToken }));
    assert.equal([e.code, e.violations.map((v) => v.field)], [Code.InvalidArgument, ["page_token"]], JSON.stringify(other));
  }
});

test.run();
