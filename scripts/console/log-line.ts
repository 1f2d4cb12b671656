// One line of a process's output, read as the pino JSON it usually is
// (services: {"level":"warn","time":"…ISO…","service":…}; the sandbox:
// {"level":40,"time":<epoch ms>,"name":"sandbox-casa",…}), and told as a
// person reads it: the level, the message and a few whitelisted fields.
// Only whitelisted fields are ever shown: the logs are censored already,
// and the terminal shows less still (never e-mails, names or tokens).

export type Level = "trace" | "debug" | "info" | "warn" | "error" | "fatal";

const LEVELS: Record<number, Level> = { 10: "trace", 20: "debug", 30: "info", 40: "warn", 50: "error", 60: "fatal" };
const NUMBERS: Record<Level, number> = { trace: 10, debug: 20, info: 30, warn: 40, error: 50, fatal: 60 };

export interface LogRecord {
  level: Level;
  /** Milliseconds since the epoch. */
  time: number;
  msg: string;
  /** The parsed line, every field. */
  fields: Record<string, unknown>;
}

/** The record of a JSON log line; undefined for anything else (a stack trace, Node's own warnings). */
export function parseLogLine(line: string): LogRecord | undefined {
  if (!line.startsWith("{")) return undefined;
  let fields: unknown;
  try {
    fields = JSON.parse(line);
  } catch {
    return undefined;
  }
  if (typeof fields !== "object" || fields === null || Array.isArray(fields)) return undefined;
  const f = fields as Record<string, unknown>;
  const level = typeof f.level === "number" ? LEVELS[f.level] : (f.level as Level);
  if (!level || !(level in NUMBERS)) return undefined;
  const time = typeof f.time === "number" ? f.time : Date.parse(String(f.time));
  return { level, time: Number.isFinite(time) ? time : Date.now(), msg: typeof f.msg === "string" ? f.msg : "", fields: f };
}

export const atLeast = (r: LogRecord, level: Level) => NUMBERS[r.level] >= NUMBERS[level];

/** The fields a terminal line may show, in this order: what went wrong where, never who. */
const SHOWN = ["seller", "seller_id", "topic", "state", "status", "code", "attempts", "retry_ms", "hotels", "flights", "rates", "duration_ms", "slow"] as const;

/** "IngestHotelRates" from "/itinera.pricing.v1.PricingService/IngestHotelRates". */
const methodOf = (f: Record<string, unknown>) =>
  typeof f.procedure === "string" ? f.procedure.split("/").at(-1) : typeof f.method === "string" ? f.method : undefined;

/** An error's text may quote what it failed on (a duplicate address): anything shaped like an e-mail is masked. */
export const scrub = (text: string) => text.replace(/[\w.+-]+@[\w-]+(\.[\w-]+)+/g, "[e-mail]");

/** The message of an error field: a string, or pino's serialised error {type, message, stack}. */
export function errorMessage(err: unknown): string | undefined {
  if (typeof err === "string") return err;
  if (typeof err === "object" && err !== null && typeof (err as { message?: unknown }).message === "string")
    return (err as { message: string }).message;
  return undefined;
}

/** The first `n` lines of an error field's stack (its message when it has none). */
export function errorLines(err: unknown, n: number): string[] {
  const stack = typeof err === "object" && err !== null ? (err as { stack?: unknown }).stack : undefined;
  const text = typeof stack === "string" ? stack : errorMessage(err);
  return text ? text.split("\n").map((l) => scrub(l.trim())).filter(Boolean).slice(0, n) : [];
}

/** "rpc finished  IngestHotelRates code=OK duration_ms=1091 slow" — the level is the caller's to show. */
export function describe(r: LogRecord): string {
  const parts = [r.msg || "(no message)"];
  const method = methodOf(r.fields);
  if (method) parts.push(method);
  for (const key of SHOWN) {
    const v = r.fields[key];
    if (v === undefined || v === null || typeof v === "object") continue;
    if (v === true) parts.push(key);
    else if (v !== false) parts.push(`${key}=${typeof v === "number" ? Math.round(v) : String(v).slice(0, 60)}`);
  }
  const err = errorMessage(r.fields.err ?? r.fields.error);
  if (err) parts.push(`— ${scrub(err.split("\n")[0]!).slice(0, 200)}`);
  return parts.join(" ");
}
