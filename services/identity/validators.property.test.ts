// Properties of identity's SignUp validation: every well-formed sign-up
// passes, and breaking any one field — an address without a domain, a
// password a code point too short, a blank or too long name — is refused as
// INVALID_ARGUMENT naming exactly that field.
import { create } from "@bufbuild/protobuf";
import fc from "fast-check";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { methodInfo } from "../../endpoints/endpoint.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { silentContext } from "../../endpoints/testing.js";
import { IdentityService, SignUpRequestSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { MIN_PASSWORD_LENGTH } from "./service.js";
import { identityValidators } from "./validators.js";

const RUNS = { numRuns: 200, includeErrorInReport: true };
const ctx = silentContext();
const signUp = validation(identityValidators())(async () => "passed", methodInfo(IdentityService.method.signUp, "server"));

async function refusedFields(req: unknown): Promise<string[]> {
  try {
    assert.is(await signUp(ctx, req), "passed");
    return [];
  } catch (e) {
    assert.instance(e, KitError);
    assert.is((e as KitError).code, Code.InvalidArgument);
    return (e as KitError).violations.map((v) => v.field).sort();
  }
}

/** `min` to `max` code points of well-formed text without NUL (emoji and accents count as one). */
const codePoints = (min: number, max: number) =>
  fc.array(fc.string({ unit: "grapheme", minLength: 1, maxLength: 1 }), { minLength: min, maxLength: max }).map((cs) => [...cs.join("")].slice(0, max).join("")).filter((s) => [...s].length >= min && !s.includes("\u0000"));
const validSignUp = fc.record({
  email: fc.emailAddress().filter((e) => e.length <= 254),
  password: codePoints(MIN_PASSWORD_LENGTH, 80),
  displayName: codePoints(1, 100).filter((s) => s.trim() !== ""),
});
const broken = fc.oneof(
  fc.oneof(fc.constant(""), fc.emailAddress().map((e) => e.replace("@", "")), fc.emailAddress().map((e) => e.slice(0, e.indexOf("@") + 1))).map((v) => ({ patch: { email: v }, field: "email" })),
  codePoints(0, MIN_PASSWORD_LENGTH - 1).map((v) => ({ patch: { password: v }, field: "password" })),
  fc.constantFrom("", "  ", "n".repeat(101), "é".repeat(101)).map((v) => ({ patch: { displayName: v }, field: "display_name" })),
);

test("every well-formed sign-up passes", async () => {
  await fc.assert(fc.asyncProperty(validSignUp, async (init) => assert.equal(await refusedFields(create(SignUpRequestSchema, init)), [])), RUNS);
});

test("a sign-up with any one field broken is refused naming exactly that field", async () => {
  await fc.assert(
    fc.asyncProperty(validSignUp, broken, async (init, { patch, field }) => {
      assert.equal(await refusedFields(create(SignUpRequestSchema, { ...init, ...patch })), [field]);
    }),
    RUNS,
  );
});

test.run();
