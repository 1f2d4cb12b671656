import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../errors.js";
import { localClient, type Service, type Validators } from "../service.js";
import { currencyCodes, intRange, money, required, validator } from "../rules.js";
import { validation } from "./validation.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { kitRejection, silentContext } from "../testing.js";

const ctx = silentContext();

function walletValidators(): Validators<typeof WalletService> {
  const currencies = currencyCodes();
  return {
    hold: validator((req) => [
      required("idempotency_key", req.idempotencyKey, { maxLen: 128 }),
      required("customer_id", req.customerId),
      money("amount", req.amount, currencies, { positive: true }),
    ]),
  };
}

/** A wallet that records which methods the middleware let through. */
function fakeWallet(calls: string[]): Service<typeof WalletService> {
  const balance = { customerId: "c", available: { amountMinor: 0n, currency: "EUR" } };
  return {
    getBalance: async (_c, req) => (calls.push(`getBalance:${req.customerId}`), { balance }),
    credit: async () => (calls.push("credit"), {}),
    hold: async (_c, req) => (calls.push(`hold:${req.idempotencyKey}`), { hold: { holdId: "h1" }, balance }),
    capture: async () => ({}),
    release: async () => ({}),
    listTransactions: async () => ({}),
  };
}

test("a bad request fails with InvalidArgument, every field at once, without reaching the handler", async () => {
  const calls: string[] = [];
  const wallet = localClient(WalletService, fakeWallet(calls), validation(walletValidators()));
  const err = await kitRejection(
    wallet.hold(ctx, { idempotencyKey: "", customerId: "c", amount: { amountMinor: -5n, currency: "XYZ" } }),
  );
  assert.is(err.code, Code.InvalidArgument);
  assert.is(
    err.message,
    "idempotency_key: must not be empty; amount.amount_minor: must be greater than 0; amount.currency: must be an ISO-4217 code such as EUR",
  );
  assert.equal(
    err.violations.map((v) => [v.field, v.rule]),
    [
      ["idempotency_key", "required"],
      ["amount.amount_minor", "gt_zero"],
      ["amount.currency", "iso4217"],
    ],
  );
  assert.equal(calls, []);
});

test("a valid request reaches the handler; methods without a validator pass through", async () => {
  const calls: string[] = [];
  const wallet = localClient(WalletService, fakeWallet(calls), validation(walletValidators()));
  const res = await wallet.hold(ctx, { idempotencyKey: "k1", customerId: "c", amount: { amountMinor: 100n, currency: "EUR" } });
  assert.is(res.hold?.holdId, "h1");
  await wallet.getBalance(ctx, { customerId: "" }); // no validator: anything goes
  assert.equal(calls, ["hold:k1", "getBalance:"]);
});

test("the validator is looked up once, at wiring time", async () => {
  let lookups = 0;
  const validators = new Proxy(walletValidators(), {
    get(target, key, receiver) {
      lookups++;
      return Reflect.get(target, key, receiver);
    },
  });
  const wallet = localClient(WalletService, fakeWallet([]), validation(validators));
  const wired = lookups;
  assert.is(wired, WalletService.methods.length);
  for (let i = 0; i < 3; i++) {
    await wallet.hold(ctx, { idempotencyKey: `k${i}`, customerId: "c", amount: { amountMinor: 1n, currency: "EUR" } });
  }
  assert.is(lookups, wired);
});

test("server-streaming methods are validated before the stream opens", async () => {
  let opened = 0;
  const echo: Service<typeof EchoService> = {
    echo: async (_c, req) => ({ message: req.message }),
    increment: async () => ({ value: 1n }),
    countdown: async function* (_c, req) {
      opened++;
      for (let n = req.count; n > 0; n--) yield { remaining: n };
    },
    slow: async () => ({ waitedMs: 0 }),
  };
  const client = localClient(
    EchoService,
    echo,
    validation({ countdown: validator((req: { count: number }) => [intRange("count", req.count, 1, 10)]) }),
  );
  const got: number[] = [];
  for await (const m of client.countdown(ctx, { count: 3 })) got.push(m.remaining);
  assert.equal(got, [3, 2, 1]);
  try {
    for await (const _ of client.countdown(ctx, { count: 11 })) assert.unreachable("no message expected");
    assert.unreachable("the stream should fail");
  } catch (e) {
    assert.is((e as KitError).code, Code.InvalidArgument);
    assert.is((e as KitError).message, "count: must be a whole number from 1 to 10");
  }
  assert.is(opened, 1);
});

test("a NUL or a lone surrogate in any string is refused on every method, with or without its own validator", async () => {
  const calls: string[] = [];
  const wallet = localClient(WalletService, fakeWallet(calls), validation(walletValidators()));
  const noValidator = await kitRejection(wallet.getBalance(ctx, { customerId: "c\u0000" }));
  assert.equal([noValidator.code, noValidator.message], [Code.InvalidArgument, "customer_id: must not contain the NUL character (U+0000)"]);
  const withValidator = await kitRejection(
    wallet.hold(ctx, { idempotencyKey: "k\ud800", customerId: "c", amount: { amountMinor: 5n, currency: "EUR" } }),
  );
  assert.equal(withValidator.violations.map((v) => [v.field, v.rule]), [["idempotency_key", "text"]]);
  assert.equal(calls, []);
  await wallet.getBalance(ctx, { customerId: "c ✈ 😀" });
  assert.equal(calls, ["getBalance:c ✈ 😀"]);
});

test.run();
