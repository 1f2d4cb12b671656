// Who may obtain a service token: one credential per service. Identity keeps
// only the SHA-256 of each service's secret (SERVICE_CREDENTIALS =
// `name:<hex sha256>,…`), so its configuration holds nothing a caller could
// present; each service holds its own secret (SERVICE_SECRET). The subject
// of a token is the name of the credential presented, never a name the
// caller picks. Service secrets are long random keys, not passwords: a fast
// hash is enough (nothing to stretch against guessing).
import { createHash, timingSafeEqual } from "node:crypto";
import { secretMap, type Setting } from "../../platform/config.js";
import { developmentServiceSecret } from "./service-tokens.js";

/** The callers identity knows outside production: every service, and `operator` (people's tools: make start's seeding, the benchmarks). */
export const DEVELOPMENT_SERVICE_NAMES = ["booking", "catalog", "mailer", "operator", "payment", "pricing", "search", "sellers", "wallet", "web"];

/** Service name → hex SHA-256 of its secret. */
export type ServiceCredentials = ReadonlyMap<string, string>;

/** The hex SHA-256 of a service secret: what SERVICE_CREDENTIALS holds (`printf %s "$secret" | sha256sum`). */
export function credentialDigest(secret: string): string {
  return createHash("sha256").update(secret).digest("hex");
}

/** Credentials for `names`, each with the secret `secretOf(name)`. */
export function credentialsOf(names: readonly string[], secretOf: (name: string) => string): Map<string, string> {
  return new Map(names.map((name) => [name, credentialDigest(secretOf(name))]));
}

/**
 * The service whose credential `secret` is, or undefined. Every credential
 * is compared, in constant time, so timing tells neither which nor whether.
 */
export function serviceOf(credentials: ServiceCredentials, secret: string): string | undefined {
  const sent = createHash("sha256").update(secret).digest();
  let found: string | undefined;
  for (const [name, digest] of credentials) {
    if (timingSafeEqual(sent, Buffer.from(digest, "hex")) && found === undefined) found = name;
  }
  return found;
}

const HEX_SHA256 = /^[0-9a-f]{64}$/;

/** SERVICE_CREDENTIALS: refused in production while unset or holding a development credential. */
export function serviceCredentialsSetting(): Setting<ServiceCredentials> {
  const map = secretMap("SERVICE_CREDENTIALS", Object.fromEntries(credentialsOf(DEVELOPMENT_SERVICE_NAMES, developmentServiceSecret)));
  return {
    variable: map.variable,
    read(env) {
      const read = map.read(env);
      if (!read.ok) return read;
      const bad = [...read.value].filter(([, digest]) => !HEX_SHA256.test(digest)).map(([name]) => name);
      if (bad.length > 0) {
        return { ok: false, problem: `SERVICE_CREDENTIALS must give each service the lower-case hex SHA-256 of its secret; not one for ${bad.join(", ")}` };
      }
      const shared = [...read.value].filter(([name, digest]) => [...read.value].some(([other, d]) => other !== name && d === digest)).map(([name]) => name);
      if (shared.length > 0) return { ok: false, problem: `SERVICE_CREDENTIALS gives ${shared.join(", ")} the same secret; each service needs its own` };
      return read;
    },
  };
}
