// Input validation (server side): runs the method's validator before the
// handler and answers InvalidArgument with one violation per bad field, in the
// error details, so that a form can show each message next to its field.
// Validators are written with the rules in endpoints/rules.ts. Before any
// method's own validator, every string of every request is checked for what
// no store can keep (rules.ts textViolations: NUL, lone surrogates).
import { invalidArgument, type FieldViolation } from "../errors.js";
import { firstPerField, textViolations } from "../rules.js";
import type { Middleware } from "../endpoint.js";
import type { Validator } from "../service.js";

/**
 * Per-method validators keyed by the method's local name ("hold"): a
 * `Validators<typeof WalletService>` fits. Methods without one get the text check only.
 */
export type ValidatorsByMethod = Readonly<Record<string, Validator<never> | undefined>>;

export function validation(validators: ValidatorsByMethod): Middleware {
  return (next, info) => {
    const validate = validators[info.method.localName] as Validator<unknown> | undefined;
    const input = info.method.input;
    return async (ctx, req) => {
      const text = textViolations(input, req);
      const own = validate ? validate(req) : [];
      if (text.length === 0 && own.length === 0) return next(ctx, req); // the usual case, nothing to merge
      const violations = firstPerField([...text, ...own]);
      throw invalidArgument(summarise(violations), violations);
    };
  };
}

/** One sentence naming every bad field: "amount.amount_minor: must be greater than 0; currency: …". */
export function summarise(violations: readonly FieldViolation[]): string {
  return violations.map((v) => `${v.field}: ${v.description}`).join("; ");
}
