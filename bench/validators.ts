// The sign-up validator on the crafted addresses that made the old e-mail
// regex backtrack: the time of the linear check and, for comparison, of the
// regex it replaced, at growing sizes (linear doubles, quadratic quadruples).
// Fails (exit 1) when the check takes over a generous fixed budget.
//
//   make bench-validators
import { create } from "@bufbuild/protobuf";
import { SignUpRequestSchema } from "../gen/itinera/identity/v1/identity_pb.js";
import { identityValidators } from "../services/identity/validators.js";

/** The regex identity used before, kept here only to show what it cost. */
const OLD_EMAIL = /^\s*[^\s@]+@[^\s@]+\.[^\s@]+\s*$/;
const BUDGET_MS = 50;
const signUp = identityValidators().signUp!;

const time = (f: () => unknown) => {
  const t = performance.now();
  f();
  return performance.now() - t;
};

let over = false;
for (const size of [3_500, 7_000, 14_000, 28_000]) {
  for (const [name, email] of [
    ["dots", "a@" + ".".repeat(size) + " x"],
    ["x. pairs", "a@" + "x.".repeat(size / 2) + "@"],
  ] as const) {
    const req = create(SignUpRequestSchema, { email, password: "correct horse battery", displayName: "Ana" });
    const now = time(() => signUp(req));
    const before = time(() => OLD_EMAIL.test(email));
    over ||= now > BUDGET_MS;
    console.log(`${name.padEnd(9)} ${String(email.length).padStart(6)} chars: validator ${now.toFixed(2).padStart(7)} ms, old regex ${before.toFixed(0).padStart(6)} ms`);
  }
}
if (over) {
  console.error(`the sign-up validator took over ${BUDGET_MS} ms on one input: something backtracks again`);
  process.exit(1);
}
