// Properties of the wallet's validators on Credit and Hold: every well-formed
// request passes (and still does after a trip through the wire format), and
// breaking any one field of it is refused as INVALID_ARGUMENT naming exactly
// that field.
import { create, fromBinary, toBinary } from "@bufbuild/protobuf";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { methodInfo } from "../../endpoints/endpoint.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { silentContext } from "../../endpoints/testing.js";
import { CreditReason, CreditRequestSchema, HoldRequestSchema, WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { walletValidators } from "./validators.js";

const RUNS = { numRuns: 200, includeErrorInReport: true };
const ctx = silentContext();
const validated = (method: (typeof WalletService.methods)[number]) => validation(walletValidators())(async () => "passed", methodInfo(method, "server"));
const credit = validated(WalletService.method.credit);
const hold = validated(WalletService.method.hold);

/** The fields a request breaks the rules of; [] when it passes. */
async function refusedFields(endpoint: ReturnType<typeof validated>, req: unknown): Promise<string[]> {
  try {
    assert.is(await endpoint(ctx, req), "passed");
    return [];
  } catch (e) {
    assert.instance(e, KitError);
    assert.is((e as KitError).code, Code.InvalidArgument);
    return (e as KitError).violations.map((v) => v.field).sort();
  }
}

/** Text a person or a program writes: 1 to `max` code points, not blank, well-formed, no NUL. */
const text = (max: number) =>
  fc.string({ unit: "grapheme", minLength: 1, maxLength: max }).filter((s) => s.trim() !== "" && [...s].length <= max && !s.includes("\u0000"));
const currencies = Intl.supportedValuesOf("currency");
const validCredit = fc.record({
  idempotencyKey: text(128),
  customerId: text(64),
  amount: fc.record({ amountMinor: fc.bigInt({ min: 1n, max: 2n ** 63n - 1n }), currency: fc.constantFrom(...currencies) }),
  reason: fc.constantFrom(CreditReason.CASHBACK, CreditReason.REFUND, CreditReason.PROMOTION),
  reference: fc.oneof(fc.constant(""), text(128)),
});
/** One field broken, and the field the refusal must name. */
const broken = fc.oneof(
  fc.constantFrom("", "   ", "k".repeat(129), "a\u0000b").map((v) => ({ patch: { idempotencyKey: v }, field: "idempotency_key" })),
  fc.constantFrom("", "\t", "c".repeat(65), "\uD800").map((v) => ({ patch: { customerId: v }, field: "customer_id" })),
  fc.bigInt({ min: -(2n ** 63n), max: 0n }).map((v) => ({ patch: { amount: { amountMinor: v, currency: "EUR" } }, field: "amount.amount_minor" })),
  fc.constantFrom("eur", "EURO", "XYZ", "").map((v) => ({ patch: { amount: { amountMinor: 100n, currency: v } }, field: "amount.currency" })),
  fc.constant({ patch: { amount: undefined }, field: "amount" }),
  // Numbers outside the enum, as a client with another copy of the contract sends them.
  fc.constantFrom(0, 99, -1).map((v) => ({ patch: { reason: v as CreditReason }, field: "reason" })),
  fc.constantFrom("r".repeat(129), "😀".repeat(129)).map((v) => ({ patch: { reference: v }, field: "reference" })),
);

test("every well-formed Credit and Hold passes, before and after the wire format", async () => {
  await fc.assert(
    fc.asyncProperty(validCredit, async (init) => {
      const req = create(CreditRequestSchema, init);
      assert.equal(await refusedFields(credit, req), []);
      const wire = fromBinary(CreditRequestSchema, toBinary(CreditRequestSchema, req));
      assert.equal(wire, req);
      assert.equal(await refusedFields(credit, wire), []);
      const { reason: _, ...holdInit } = init;
      assert.equal(await refusedFields(hold, create(HoldRequestSchema, holdInit)), []);
    }),
    RUNS,
  );
});

test("a Credit with any one field broken is refused naming exactly that field", async () => {
  await fc.assert(
    fc.asyncProperty(validCredit, broken, async (init, { patch, field }) => {
      assert.equal(await refusedFields(credit, create(CreditRequestSchema, { ...init, ...patch })), [field]);
    }),
    RUNS,
  );
});

test.run();
