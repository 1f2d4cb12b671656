// A failed call in the words a page shows: one message, and for bad input one
// message per field (the BFF sends itinera.type.v1.BadRequest details with
// proto field paths, e.g. "email", "check_out").
import { Code, ConnectError } from "@connectrpc/connect";
import { BadRequestSchema } from "../../../gen/itinera/type/v1/errors_pb.js";

export interface Problem {
  code: Code;
  /** A sentence for the page (role="alert"). */
  message: string;
  /** Messages by field: the full path ("query.check_in") and its last part ("check_in"). */
  fields: Record<string, string>;
  /** When rate-limited: how many seconds to wait. */
  retryAfterSeconds: number | undefined;
}

/** The metadata the kit puts on RESOURCE_EXHAUSTED (transport/errors.ts), and HTTP's own. */
const RETRY_AFTER_MS = "retry-after-ms";
const RETRY_AFTER = "retry-after";

const capitalise = (text: string) => (text ? text[0]!.toUpperCase() + text.slice(1) : text);
const sentence = (text: string) => {
  const t = capitalise(text.trim());
  return t === "" || /[.!?]$/.test(t) ? t : `${t}.`;
};

/** A sentence written for a person: a capital first, a full stop last, some words between. */
const isSentence = (text: string) => /^[A-Z][^\n]*\s[^\n]*[.!?]$/.test(text.trim()) && !/^HTTP \d/.test(text.trim());

function retryAfterSeconds(err: ConnectError): number | undefined {
  const ms = Number(err.metadata.get(RETRY_AFTER_MS) ?? NaN);
  if (Number.isFinite(ms) && ms >= 0) return Math.max(1, Math.ceil(ms / 1000));
  const s = Number(err.metadata.get(RETRY_AFTER) ?? NaN);
  if (Number.isFinite(s) && s >= 0) return Math.max(1, Math.ceil(s));
  return undefined;
}

/** True for a call the page itself cancelled (left the page, typed again): nothing to show. */
export function isAbort(e: unknown): boolean {
  if (e instanceof ConnectError) return e.code === Code.Canceled;
  return e instanceof Error && e.name === "AbortError";
}

/** True when the BFF says the visitor is not signed in (or the session ended). */
export const isUnauthenticated = (e: unknown): boolean => e instanceof ConnectError && e.code === Code.Unauthenticated;

/**
 * What went wrong, in plain words. `what` names the thing the call was for
 * ("the hotel search", "your trips"): "We could not reach the hotel search…".
 */
export function describeError(e: unknown, what = "Itinera"): Problem {
  const err = ConnectError.from(e);
  const problem: Problem = { code: err.code, message: "", fields: {}, retryAfterSeconds: undefined };
  const server = sentence(err.rawMessage);
  switch (err.code) {
    case Code.Unavailable:
      // The BFF's own sentences ("Your wallet cannot be checked right now…") say more than ours;
      // a proxy's "HTTP 503" or a lower-case internal message does not.
      problem.message = isSentence(err.rawMessage) ? err.rawMessage.trim() : `We could not reach ${what} just now. Please try again in a moment.`;
      break;
    case Code.DeadlineExceeded:
      problem.message = `We could not reach ${what} just now. Please try again in a moment.`;
      break;
    case Code.Unknown:
      // fetch itself failed (offline, server down): the browser says TypeError.
      problem.message =
        err.cause instanceof TypeError
          ? `We could not reach ${what}. Check your connection and try again.`
          : "Something went wrong on our side. Please try again.";
      break;
    case Code.ResourceExhausted: {
      const wait = retryAfterSeconds(err);
      problem.retryAfterSeconds = wait;
      problem.message = `Too many requests. Please wait ${wait ?? 2} s and try again.`;
      break;
    }
    case Code.InvalidArgument: {
      const violations = err.findDetails(BadRequestSchema).flatMap((d) => d.fieldViolations);
      for (const v of violations) {
        const text = sentence(v.description);
        const last = v.field.split(".").pop() ?? v.field;
        // The first message for a field wins: it is the one the rules put first.
        problem.fields[v.field] ??= text;
        problem.fields[last] ??= text;
      }
      problem.message =
        violations.length > 0 ? "Please correct the highlighted fields." : server || "Some of what was sent is not valid.";
      break;
    }
    case Code.Unauthenticated:
      problem.message = server || "Please sign in.";
      break;
    case Code.PermissionDenied:
      problem.message = server || "You are not allowed to do that.";
      break;
    case Code.NotFound:
      problem.message = server || "We could not find that.";
      break;
    case Code.FailedPrecondition:
    case Code.AlreadyExists:
    case Code.Aborted:
    case Code.OutOfRange:
      problem.message = server || "That cannot be done now.";
      break;
    case Code.Canceled:
      problem.message = "The request was cancelled.";
      break;
    default:
      problem.message = "Something went wrong on our side. Please try again.";
  }
  return problem;
}
