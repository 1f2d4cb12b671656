// Small helpers the web service's parts share: bad-input errors of a composed service renamed to the fields of the web
// request the customer actually filled in.
import { Code, invalidArgument, KitError } from "../../endpoints/errors.js";
import { summarise } from "../../endpoints/middleware/validation.js";

/**
 * An InvalidArgument whose violations name another service's fields
 * ("query.check_in") as the web request's ("check_in"); any other error as is.
 */
export function renamed(e: unknown, rename: (field: string) => string): unknown {
  if (!(e instanceof KitError) || e.code !== Code.InvalidArgument || e.violations.length === 0) return e;
  const violations = e.violations.map((v) => ({ ...v, field: rename(v.field) }));
  return invalidArgument(summarise(violations), violations);
}

/** Search's "query.<field>" is the web request's "<field>". */
export const withoutQuery = (field: string) => field.replace(/^query\./, "");
