// The process's logger: pino JSON lines on stdout, one per event, with the
// service's name, an ISO time and the level's name. Fields that could carry
// personal data or secrets are censored wherever someone logs them by
// mistake, at any depth: personal fields by name, secrets by a key pattern
// (anything named like a token, secret, password, authorization, cookie,
// card, credential, key or signature: accessToken, serviceSecret, …). The
// rule stays: never log e-mails, names, card numbers or request bodies.
// Each logger also carries the process's SuccessSampler: which successful
// calls the request logging middleware writes a line for (log-sampling.ts).
import pino, { type Logger } from "pino";
import { SuccessSampler, type SuccessSamplingOptions } from "./log-sampling.js";

export interface LoggerOptions {
  /** The service's name, on every line. */
  service: string;
  /** "trace" | "debug" | "info" | "warn" | "error" | "fatal" | "silent"; default "info". */
  level?: string;
  /** Where the lines go; default stdout, buffered (see STDOUT_BUFFER_BYTES). */
  destination?: pino.DestinationStream;
  /** Which successful calls get a line (LOG_SUCCESS_ONE_IN, LOG_SUCCESS_PER_SECOND, LOG_SLOW_MS); defaults in log-sampling.ts. */
  successes?: Partial<SuccessSamplingOptions>;
}

/** What the censored fields read. */
export const REDACTED = "[REDACTED]";
/** What an object nested too deep to be checked reads. */
export const TOO_DEEP = "[TOO DEEP]";

/** Field names that may carry personal data, in both spellings. */
const PERSONAL_FIELDS = [
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
];

/** Any key containing one of these (any case, any separator) holds a secret. */
const SECRET_KEY = /token|secret|passw(or)?d|authori[sz]ation|cookie|card|credential|api.?key|private.?key|signature/i;

const PERSONAL = new Set(PERSONAL_FIELDS);
/** Whether the value under `key` is censored. */
export const sensitiveKey = (key: string): boolean => PERSONAL.has(key) || SECRET_KEY.test(key);
const MAX_DEPTH = 6;

/**
 * The object with every sensitive field censored (sensitiveKey), at any
 * depth, arrays included (an object nested deeper than MAX_DEPTH is written
 * as TOO_DEEP, unread, so nothing below it can slip through); the same
 * object when there is nothing to censor (the usual case: one walk over a
 * few keys, no copy). pino's `redact` takes fixed paths, not a key pattern,
 * and its wildcard paths cost ~15x per line, paid on every call's log line.
 * Errors are censored after their serializer has made them plain objects.
 */
export function censor(value: unknown, depth = 0): unknown {
  if (value === null || typeof value !== "object" || value instanceof Error) return value;
  if (depth > MAX_DEPTH) return TOO_DEEP;
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
    const c = sensitiveKey(key) ? REDACTED : censor(item, depth + 1);
    if (c !== item) (out ??= { ...value })[key] = c;
  }
  return out ?? value;
}

/**
 * An error as pino's standard serializer writes it (type, message, stack,
 * own fields, cause), its own fields censored; anything thrown that is not
 * an Error is written as it is, censored too.
 */
function serializeError(e: unknown): unknown {
  return censor(e instanceof Error ? pino.stdSerializers.err(e) : e);
}

const SAMPLER = Symbol("itinera.successSampler");

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
  const logger = censoringChildren(pino(options, opts.destination ?? bufferedStdout()));
  // Children are made with Object.create(parent): they all find the root's sampler.
  return Object.assign(logger, { [SAMPLER]: new SuccessSampler(opts.successes) });
}

/**
 * The sampler of the process `log` belongs to; undefined for a logger not
 * made by createLogger (a test's pino()), whose successes are all logged.
 */
export function successSamplerOf(log: Logger): SuccessSampler | undefined {
  return (log as Logger & { [SAMPLER]?: SuccessSampler })[SAMPLER];
}

/**
 * pino applies `formatters.bindings` to the root's bindings only, not to a
 * child's: the root's `child` censors them first. Children are made with
 * Object.create(parent), so theirs is this one too, at every generation.
 */
function censoringChildren(logger: Logger): Logger {
  type Child = (this: unknown, bindings: pino.Bindings, options?: unknown) => unknown;
  const child = logger.child as unknown as Child;
  const censoring: Child = function (bindings, options) {
    return child.call(this, censor(bindings) as pino.Bindings, options);
  };
  return Object.assign(logger, { child: censoring as unknown as Logger["child"] });
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
