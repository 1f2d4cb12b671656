// The process's logger: pino JSON lines on stdout, one per event, with the
// service's name, an ISO time and the level's name. Fields that could carry
// personal data are censored wherever someone logs them by mistake; the rule
// stays: never log e-mails, names, card numbers or request bodies.
import pino, { type Logger } from "pino";

export interface LoggerOptions {
  /** The service's name, on every line. */
  service: string;
  /** "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent"; default "info". */
  level?: string;
  /** Where the lines go; default stdout, buffered (see STDOUT_BUFFER_BYTES). */
  destination?: pino.DestinationStream;
}

/** What the censored fields read. */
export const REDACTED = "[REDACTED]";

/** Field names that may carry personal data or secrets, in both spellings. */
const SENSITIVE_FIELDS = [
  "email",
  "name",
  "first_name",
  "firstName",
  "last_name",
  "lastName",
  "full_name",
  "fullName",
  "phone",
  "card_number",
  "cardNumber",
  "pan",
  "cvc",
  "cvv",
  "password",
  "token",
  "authorization",
  "cookie",
];

const SENSITIVE = new Set(SENSITIVE_FIELDS);
const MAX_DEPTH = 6;

/**
 * The object with every sensitive field censored, at any depth up to
 * MAX_DEPTH, arrays included; the same object when there is nothing to
 * censor (the usual case: one walk over a few keys, no copy). pino's
 * wildcard `redact` paths would do the same at ~15x the cost per line, paid
 * on every call's log line. Errors are left to their serializer.
 */
export function censor(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || value instanceof Error || depth > MAX_DEPTH) return value;
  if (Array.isArray(value)) {
    let out: unknown[] | undefined;
    value.forEach((item, i) => {
      const c = censor(item, depth + 1);
      if (c !== item) (out ??= [...value])[i] = c;
    });
    return out ?? value;
  }
  let out: Record<string, unknown> | undefined;
  for (const [key, item] of Object.entries(value)) {
    const c = SENSITIVE.has(key) ? REDACTED : censor(item, depth + 1);
    if (c !== item) (out ??= { ...value })[key] = c;
  }
  return out ?? value;
}

/**
 * An error as pino's standard serializer writes it (type, message, stack,
 * own fields, cause); anything thrown that is not an Error is written as it is.
 */
function serializeError(e: unknown): unknown {
  return e instanceof Error ? pino.stdSerializers.err(e) : e;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? "info",
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: {
      level: (label) => ({ level: label }),
      bindings: (bindings) => censor(bindings) as pino.Bindings,
      log: (object) => censor(object) as Record<string, unknown>,
    },
    serializers: { err: serializeError },
  };
  return pino(options, opts.destination ?? bufferedStdout());
}

/**
 * One write(2) per line cost the wallet ~40 µs of CPU per call (make bench):
 * lines are gathered up to this many bytes, and flushed at least every
 * FLUSH_MS so that a quiet service's lines still show at once. pino flushes
 * what is left when the process exits; a SIGKILL loses at most this much.
 */
const STDOUT_BUFFER_BYTES = 4096;
const FLUSH_MS = 200;

function bufferedStdout(): pino.DestinationStream {
  const out = pino.destination({ dest: 1, sync: false, minLength: STDOUT_BUFFER_BYTES });
  setInterval(() => out.flush(), FLUSH_MS).unref();
  return out;
}
