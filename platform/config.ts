// Configuration from environment variables: each setting is a small reader
// (name, rule, default); `config` runs them all against the env object it is
// given and either returns the typed settings or throws one ConfigError that
// names every bad variable. Pure: it never reads process.env itself.
import { isIP } from "node:net";
import { parsePeerUrls } from "./peer-urls.js";

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads one setting; returns its value or a sentence saying what is wrong. */
export interface Setting<T> {
  readonly variable: string;
  read(env: Env): { ok: true; value: T } | { ok: false; problem: string };
}

type Values<S extends Record<string, Setting<unknown>>> = { [K in keyof S]: S[K] extends Setting<infer T> ? T : never };

export class ConfigError extends Error {
  override name = "ConfigError";
  /** One sentence per bad variable. */
  readonly problems: readonly string[];

  constructor(problems: string[]) {
    super(`invalid configuration:\n  ${problems.join("\n  ")}`);
    this.problems = problems;
  }
}

/** Reads every setting of `spec` from `env`; throws ConfigError listing all problems at once. */
export function config<S extends Record<string, Setting<unknown>>>(env: Env, spec: S): Values<S> {
  const values: Record<string, unknown> = {};
  const problems: string[] = [];
  for (const [key, setting] of Object.entries(spec)) {
    const result = setting.read(env);
    if (result.ok) values[key] = result.value;
    else problems.push(result.problem);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return values as Values<S>;
}

/** An empty string counts as unset, as shells make it easy to export one by accident. */
function raw(env: Env, variable: string): string | undefined {
  const value = env[variable];
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

function setting<T>(
  variable: string,
  fallback: { value: T } | undefined,
  parse: (text: string) => { ok: true; value: T } | { ok: false; rule: string },
): Setting<T> {
  return {
    variable,
    read(env) {
      const text = raw(env, variable);
      if (text === undefined) {
        return fallback ? { ok: true, value: fallback.value } : { ok: false, problem: `${variable} is required` };
      }
      const parsed = parse(text);
      return parsed.ok ? parsed : { ok: false, problem: `${variable} ${parsed.rule}, got ${JSON.stringify(text)}` };
    },
  };
}

const ok = <T>(value: T) => ({ ok: true as const, value });
const bad = (rule: string) => ({ ok: false as const, rule });
const defaulted = <T>(value: T | undefined) => (value === undefined ? undefined : { value });

/** A string; required when no default is given. */
export function str(variable: string, fallback?: string): Setting<string> {
  return setting(variable, defaulted(fallback), ok);
}

/** Where a process runs; "production" refuses every development default of a secret(). */
export const ENVIRONMENT_VARIABLE = "ITINERA_ENV";

/**
 * A secret (a key, a password, a signing secret). Outside production an unset
 * variable falls back to `developmentDefault`, so one machine runs with no
 * set-up; with ITINERA_ENV=production the variable is required and a value
 * equal to the development default is refused, naming the variable.
 */
export function secret(variable: string, developmentDefault: string): Setting<string> {
  return {
    variable,
    read(env) {
      const text = raw(env, variable);
      const production = raw(env, ENVIRONMENT_VARIABLE) === "production";
      if (!production) return { ok: true, value: text ?? developmentDefault };
      if (text === undefined) return { ok: false, problem: `${variable} is required when ${ENVIRONMENT_VARIABLE}=production` };
      if (text === developmentDefault) {
        return { ok: false, problem: `${variable} is the development default; set a secret of your own (${ENVIRONMENT_VARIABLE}=production)` };
      }
      return { ok: true, value: text };
    },
  };
}

/**
 * Named secrets, `name:secret,name:secret` (one per service, one per seller…),
 * read as a map. Outside production an unset variable falls back to
 * `developmentDefaults`; with ITINERA_ENV=production the variable is required
 * and an entry equal to its name's development default is refused, naming the
 * variable and the entry (never the secret).
 */
export function secretMap(variable: string, developmentDefaults: Readonly<Record<string, string>>): Setting<ReadonlyMap<string, string>> {
  const fallback = Object.entries(developmentDefaults).map(([name, value]) => `${name}:${value}`).join(",");
  const whole = secret(variable, fallback);
  return {
    variable,
    read(env) {
      const text = whole.read(env);
      if (!text.ok) return text;
      const map = new Map<string, string>();
      for (const item of text.value.split(",")) {
        const at = item.indexOf(":");
        const name = item.slice(0, at).trim();
        const value = item.slice(at + 1).trim();
        if (at < 1 || name === "" || value === "") {
          return { ok: false, problem: `${variable} must be a comma-separated list of name:secret, found an entry without a name or a secret` };
        }
        if (map.has(name)) return { ok: false, problem: `${variable} names ${name} twice` };
        map.set(name, value);
      }
      if (raw(env, ENVIRONMENT_VARIABLE) === "production") {
        const dev = [...map].filter(([name, value]) => developmentDefaults[name] === value).map(([name]) => name);
        if (dev.length > 0) {
          return { ok: false, problem: `${variable} keeps the development default for ${dev.join(", ")}; set secrets of your own (${ENVIRONMENT_VARIABLE}=production)` };
        }
      }
      return { ok: true, value: map };
    },
  };
}

/** A string that may be absent (undefined). */
export function optionalStr(variable: string): Setting<string | undefined> {
  return setting<string | undefined>(variable, { value: undefined }, ok);
}

export interface IntRange {
  min?: number;
  max?: number;
}

/** A decimal integer, within `range` when given; required when no default is given. */
export function int(variable: string, fallback?: number, range: IntRange = {}): Setting<number> {
  const { min = Number.MIN_SAFE_INTEGER, max = Number.MAX_SAFE_INTEGER } = range;
  const rule =
    range.min !== undefined && range.max !== undefined
      ? `must be an integer from ${min} to ${max}`
      : range.min !== undefined
        ? `must be an integer of at least ${min}`
        : range.max !== undefined
          ? `must be an integer of at most ${max}`
          : "must be an integer";
  return setting(variable, defaulted(fallback), (text) => {
    if (!/^-?\d+$/.test(text)) return bad(rule);
    const n = Number(text);
    return Number.isSafeInteger(n) && n >= min && n <= max ? ok(n) : bad(rule);
  });
}

/** A TCP port: an integer from 1 to 65535. */
export function port(variable: string, fallback?: number): Setting<number> {
  return int(variable, fallback, { min: 1, max: 65535 });
}

/** An IP address literal (IPv4 or IPv6), e.g. the address a process listens on: "0.0.0.0" for every interface. */
export function ipAddress(variable: string, fallback?: string): Setting<string> {
  return setting(variable, defaulted(fallback), (text) => (isIP(text) !== 0 ? ok(text) : bad("must be an IP address (127.0.0.1, 0.0.0.0, ::)")));
}

const TRUE = ["1", "true", "yes", "on"];
const FALSE = ["0", "false", "no", "off"];

/** A TCP port that may be absent (undefined): a listener that is off unless configured. */
export function optionalPort(variable: string): Setting<number | undefined> {
  const p = port(variable);
  return {
    variable,
    read(env) {
      if (raw(env, variable) === undefined) return { ok: true, value: undefined };
      return p.read(env);
    },
  };
}

/** true/false, 1/0, yes/no, on/off (any case). */
export function bool(variable: string, fallback?: boolean): Setting<boolean> {
  return setting(variable, defaulted(fallback), (text) => {
    const t = text.toLowerCase();
    if (TRUE.includes(t)) return ok(true);
    if (FALSE.includes(t)) return ok(false);
    return bad("must be true or false (1/0, yes/no, on/off)");
  });
}

function parseUrl(text: string) {
  return URL.canParse(text) ? ok(text) : bad("must be an absolute URL");
}

/** An absolute URL (kept as the string given); required when no default is given. */
export function url(variable: string, fallback?: string): Setting<string> {
  return setting(variable, defaulted(fallback), parseUrl);
}

/** An absolute URL that may be absent (undefined), such as DATABASE_URL. */
export function optionalUrl(variable: string): Setting<string | undefined> {
  return setting<string | undefined>(variable, { value: undefined }, parseUrl);
}

/** One of a fixed set of values (exact match); required when no default is given. */
export function oneOf<const V extends string>(variable: string, values: readonly V[], fallback?: V): Setting<V> {
  return setting(variable, defaulted(fallback), (text) =>
    (values as readonly string[]).includes(text) ? ok(text as V) : bad(`must be one of ${values.join(", ")}`),
  );
}

/** A comma-separated list of non-empty items (spaces around items trimmed). */
export function list(variable: string, fallback?: readonly string[]): Setting<string[]> {
  return setting(variable, fallback === undefined ? undefined : { value: [...fallback] }, (text) => {
    const items = text.split(",").map((s) => s.trim());
    return items.every((s) => s !== "") ? ok(items) : bad("must be a comma-separated list without empty items");
  });
}

/** A comma-separated list of absolute URLs (each kept as given); required when no default is given. */
export function urlList(variable: string, fallback?: readonly string[]): Setting<string[]> {
  return setting(variable, fallback === undefined ? undefined : { value: [...fallback] }, (text) => {
    const items = text.split(",").map((s) => s.trim());
    return items.every((s) => s !== "" && URL.canParse(s)) ? ok(items) : bad("must be a comma-separated list of absolute URLs");
  });
}

/**
 * A comma-separated list of servers, each `scheme://host[:port]` with one of
 * `schemes` or a bare `host[:port]` (NATS_URL: what the NATS client takes);
 * required when no default is given.
 */
export function serverList(variable: string, schemes: readonly string[], fallback?: readonly string[]): Setting<string[]> {
  const rule = `must be a comma-separated list of servers, each host:port or ${schemes.map((s) => `${s}://host:port`).join(" or ")}`;
  return setting(variable, fallback === undefined ? undefined : { value: [...fallback] }, (text) => {
    const items = text.split(",").map((s) => s.trim());
    const valid = (item: string) => {
      const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(item) ? item : `${schemes[0]}://${item}`;
      if (!URL.canParse(withScheme)) return false;
      const u = new URL(withScheme);
      return schemes.includes(u.protocol.slice(0, -1)) && u.hostname !== "" && (u.pathname === "" || u.pathname === "/");
    };
    return items.every((s) => s !== "" && valid(s)) ? ok(items) : bad(rule);
  });
}

/**
 * A dependency's address (CATALOG_URL…): one base URL, or a comma-separated
 * list of the replicas' base URLs (platform/peer-urls.ts says what an entry
 * may be); kept as the text given, which transport/client.ts balances over.
 */
export function peerUrls(variable: string, fallback?: string): Setting<string> {
  return setting(variable, defaulted(fallback), (text) => {
    const parsed = parsePeerUrls(text);
    return parsed.ok ? ok(parsed.urls.join(",")) : bad(`must be one base URL or a comma-separated list of them; it ${parsed.problem}`);
  });
}
