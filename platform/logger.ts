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
  /** Where the lines go; default stdout. */
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

/**
 * Each field at the top and up to three levels deep (array elements
 * included): redaction paths match one level per wildcard, so a deeper
 * field would need its own path.
 */
const REDACT_PATHS = [
  ...SENSITIVE_FIELDS.flatMap((f) => [f, `*.${f}`, `*.*.${f}`, `*.*.*.${f}`]),
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
];

/**
 * An error as pino's standard serializer writes it (type, message, stack,
 * own fields), with an own `name` field (KitError has one) moved to
 * `error_name`: the `*.name` redaction would otherwise censor it. Anything
 * thrown that is not an Error is written as it is.
 */
function serializeError(e: unknown): unknown {
  if (!(e instanceof Error)) return e;
  const out: Record<string, unknown> = { ...pino.stdSerializers.err(e) };
  if ("name" in out) {
    out.error_name = out.name;
    delete out.name;
  }
  return out;
}

export function createLogger(opts: LoggerOptions): Logger {
  const options: pino.LoggerOptions = {
    level: opts.level ?? "info",
    base: { service: opts.service },
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label) => ({ level: label }) },
    serializers: { err: serializeError },
    redact: { paths: REDACT_PATHS, censor: REDACTED },
  };
  return opts.destination ? pino(options, opts.destination) : pino(options);
}
