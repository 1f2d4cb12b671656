// Property: whatever a caller sends, every service's validation answers in one
// of two ways — the request passes to the service, or it is refused as
// INVALID_ARGUMENT with one sentence per bad field — never another error and
// never a crash. Requests are generated from each method's own input schema
// (every field kind: strings with NUL, lone surrogates and 5 000 characters,
// int64 extremes, unknown enum numbers, nested messages, lists, maps, oneofs),
// so a field added to a proto is covered without touching this file.
import { create, ScalarType, type DescField, type DescMessage, type DescService, type Message } from "@bufbuild/protobuf";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { methodInfo } from "./endpoint.js";
import { Code, KitError } from "./errors.js";
import { validation, type ValidatorsByMethod } from "./middleware/validation.js";
import { silentContext } from "./testing.js";
import { BookingService } from "../gen/itinera/booking/v1/booking_pb.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { IdentityService } from "../gen/itinera/identity/v1/identity_pb.js";
import { MailerService } from "../gen/itinera/mailer/v1/mailer_pb.js";
import { PaymentService } from "../gen/itinera/payment/v1/payment_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";
import { SearchService } from "../gen/itinera/search/v1/search_pb.js";
import { SellersService } from "../gen/itinera/sellers/v1/sellers_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { WebService } from "../gen/itinera/web/v1/web_pb.js";
import { bookingValidators } from "../services/booking/validators.js";
import { catalogValidators } from "../services/catalog/validators.js";
import { identityValidators } from "../services/identity/validators.js";
import { mailerValidators } from "../services/mailer/validators.js";
import { paymentValidators } from "../services/payment/validators.js";
import { pricingValidators } from "../services/pricing/validators.js";
import { searchValidators } from "../services/search/validators.js";
import { sellersValidators } from "../services/sellers/validators.js";
import { walletValidators } from "../services/wallet/validators.js";
import { webValidators } from "../services/web/validators.js";

const now = () => new Date("2026-12-07T10:00:00Z");
const SERVICES: [DescService, ValidatorsByMethod][] = [
  [BookingService, bookingValidators()],
  [CatalogService, catalogValidators()],
  [IdentityService, identityValidators()],
  [MailerService, mailerValidators()],
  [PaymentService, paymentValidators()],
  [PricingService, pricingValidators({ now })],
  [SearchService, searchValidators({ now })],
  [SellersService, sellersValidators(now)],
  [WalletService, walletValidators()],
  [WebService, webValidators()],
];
/** Per method: enough to meet each field's edge values; ~100 methods keep the file near a second. */
const RUNS = { numRuns: 40, includeErrorInReport: true };
const DEPTH = 3;

const INT64 = { min: -(2n ** 63n), max: 2n ** 63n - 1n };
const UINT64 = { min: 0n, max: 2n ** 64n - 1n };

/** Strings a hostile caller sends: ordinary, empty, blank, any code unit (lone surrogates), NUL, huge, look-alikes of valid values. */
const text = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "binary", maxLength: 12 }),
  fc.constantFrom("", " ", "\u0000", "a\u0000b", "\uD800", "\uDC00x", "EUR", "eur", "XXX", "a@b.co", "@", "2026-12-24", "pay_", "h_1", "LIS"),
  fc.constantFrom("x".repeat(5_000), "é".repeat(300), "😀".repeat(129)),
  fc.uuid(),
);

function scalar(type: ScalarType): fc.Arbitrary<unknown> {
  switch (type) {
    case ScalarType.STRING:
      return text;
    case ScalarType.BOOL:
      return fc.boolean();
    case ScalarType.BYTES:
      return fc.uint8Array({ maxLength: 40 });
    case ScalarType.DOUBLE:
    case ScalarType.FLOAT:
      return fc.oneof(fc.double(), fc.constantFrom(0, -0, Number.NaN, Infinity, -Infinity));
    case ScalarType.INT64:
    case ScalarType.SINT64:
    case ScalarType.SFIXED64:
      return fc.oneof(fc.bigInt(INT64), fc.constantFrom(INT64.min, INT64.max, -1n, 0n, 1n));
    case ScalarType.UINT64:
    case ScalarType.FIXED64:
      return fc.oneof(fc.bigInt(UINT64), fc.constantFrom(UINT64.max, 0n, 1n));
    case ScalarType.UINT32:
    case ScalarType.FIXED32:
      return fc.oneof(fc.integer({ min: 0, max: 2 ** 32 - 1 }), fc.constantFrom(0, 1, 2 ** 32 - 1));
    default:
      return fc.oneof(fc.integer(), fc.constantFrom(-(2 ** 31), 2 ** 31 - 1, -1, 0, 1));
  }
}

function fieldValue(f: DescField, depth: number): fc.Arbitrary<unknown> | undefined {
  switch (f.fieldKind) {
    case "scalar":
      return scalar(f.scalar);
    case "enum":
      return fc.oneof(fc.constantFrom(...f.enum.values.map((v) => v.number)), fc.integer({ min: -3, max: 1_000 }));
    case "message":
      return depth > 0 ? message(f.message, depth - 1) : undefined;
    case "list": {
      const item =
        f.listKind === "scalar" ? scalar(f.scalar) : f.listKind === "enum" ? fc.integer({ min: -1, max: 20 }) : depth > 0 ? message(f.message, depth - 1) : undefined;
      return item && fc.array(item, { maxLength: 3 });
    }
    case "map": {
      const value =
        f.mapKind === "scalar" ? scalar(f.scalar) : f.mapKind === "enum" ? fc.integer({ min: -1, max: 20 }) : depth > 0 ? message(f.message, depth - 1) : undefined;
      return value && fc.dictionary(scalar(f.mapKey).map(String), value, { maxKeys: 3 });
    }
  }
}

/** Any message of `desc`: each field set or not, each oneof on one of its cases or none. */
function message(desc: DescMessage, depth = DEPTH): fc.Arbitrary<Message> {
  const fields: Record<string, fc.Arbitrary<unknown>> = {};
  for (const f of desc.fields) {
    if (f.oneof) continue;
    const value = fieldValue(f, depth);
    if (value) fields[f.localName] = value;
  }
  for (const o of desc.oneofs) {
    const cases = o.fields.flatMap((f) => {
      const value = fieldValue(f, depth);
      return value ? [value.map((v) => ({ case: f.localName, value: v }))] : [];
    });
    if (cases.length > 0) fields[o.localName] = fc.oneof(...cases);
  }
  return fc.record(fields, { requiredKeys: [] }).map((init) => create(desc, init as never));
}

for (const [service, validators] of SERVICES) {
  test(`${service.typeName}: any request is either passed on or refused as INVALID_ARGUMENT, one described violation per field`, async () => {
    const ctx = silentContext();
    for (const method of service.methods) {
      if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") continue;
      const endpoint = validation(validators)(async () => "passed", methodInfo(method, "server"));
      await fc.assert(
        fc.asyncProperty(message(method.input), async (req) => {
          let outcome: unknown;
          try {
            outcome = await endpoint(ctx, req);
          } catch (e) {
            outcome = e;
          }
          if (outcome === "passed") return;
          const where = `${method.parent.name}.${method.name}`;
          assert.instance(outcome, KitError, `${where} threw ${String(outcome)}`);
          const error = outcome as KitError;
          assert.is(error.code, Code.InvalidArgument, `${where}: ${error.codeName} ${error.message}`);
          assert.ok(error.violations.length > 0, `${where}: INVALID_ARGUMENT without a field`);
          const fields = error.violations.map((v) => v.field);
          assert.is(new Set(fields).size, fields.length, `${where}: a field reported twice: ${fields.join(", ")}`);
          for (const v of error.violations) assert.ok(v.field && v.rule && v.description, `${where}: ${JSON.stringify(v)}`);
        }),
        RUNS,
      );
    }
  });
}

test.run();
