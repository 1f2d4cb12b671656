// The provider side of a contract: replays every committed pact that names a
// provider against its running server, after setting up each interaction's
// provider state through the handlers the provider's test passes.
//
//   const result = await verifyProvider("wallet", server.url, {
//     "a customer has a wallet balance": async (params) => { ...credit through the real service... },
//     "a customer has no wallet": async () => {},
//   });
//
// A state may answer values the provider chose (an id it assigned): a
// consumer's request names them with Matchers.fromProviderState("${paymentId}",
// example), and the verifier sends the provider's value instead of the example.
//
// Methods that need a bearer token: the pact matches any `authorization:
// Bearer …` (withBearer in connect.ts); `bearerTokens` holds, per consumer,
// the token of that consumer's own identity, which the provider's server
// accepts only if the method's contract names that consumer; it is sent in
// place of the pact's example wherever a request carries it (requests without
// one stay without one, and a token a state chose — withCustomerBearer —
// stays that token). Each consumer's pact is verified on its own, with its
// own token.
//
// Fails (rejects) when no pact names the provider, when a pact uses a state
// without a handler (Pact itself would only warn), and when any interaction's
// response does not satisfy the consumer's expectations; the error lists each
// failing interaction with the mismatches Pact found.
import { readdir, readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { join } from "node:path";
import { Verifier } from "@pact-foundation/pact";
import { BEARER_EXAMPLE } from "./connect.js";
import { PACTS_DIR } from "./consumer.js";
import { quietPactCore } from "./quiet.js";

/** The parameters a consumer gave a state: `given("...", { customerId: "c-1" })`. */
export type StateParams = Readonly<Record<string, unknown>>;
/** Values a state chose, for the requests that name them with `fromProviderState("${name}", example)`. */
export type StateValues = Readonly<Record<string, string>>;
/** Sets a provider state up; keyed by the state's name as the consumers wrote it. */
export type ProviderStates = Readonly<Record<string, (params: StateParams) => Promise<void | StateValues>>>;

export interface VerifyOptions {
  /** Where the pacts are (default contracts/pacts/). */
  pactsDir?: string;
  /** Exactly these pact files instead of every pact naming the provider. */
  pactFiles?: string[];
  /** Per consumer name, the token sent as `authorization: Bearer <token>` in place of the pact's example (see above). */
  bearerTokens?: Readonly<Record<string, string>>;
}

export interface Verification {
  /** The pact files verified. */
  pacts: string[];
  /** How many interactions they hold. */
  interactions: number;
}

interface PactFile {
  consumer?: { name?: string };
  provider?: { name?: string };
  interactions?: Array<{ description?: string; providerStates?: Array<{ name?: string }> }>;
}

export async function verifyProvider(
  provider: string,
  baseUrl: string,
  states: ProviderStates,
  opts: VerifyOptions = {},
): Promise<Verification> {
  quietPactCore();
  const pacts = opts.pactFiles ?? (await pactsNaming(provider, opts.pactsDir ?? PACTS_DIR));
  if (pacts.length === 0) throw new Error(`no pact in ${opts.pactsDir ?? PACTS_DIR} names the provider "${provider}"`);
  const contents = await Promise.all(pacts.map(async (f) => JSON.parse(await readFile(f, "utf8")) as PactFile));
  const used = new Set(contents.flatMap((p) => (p.interactions ?? []).flatMap((i) => (i.providerStates ?? []).map((s) => s.name ?? ""))));
  const missing = [...used].filter((name) => !(name in states));
  if (missing.length > 0) {
    throw new Error(`the pacts of "${provider}" use provider states without a handler: ${missing.map((m) => `"${m}"`).join(", ")}`);
  }

  const stateHandlers = Object.fromEntries(
    Object.entries(states).map(([name, setUp]) => [
      name,
      async (params?: unknown) => {
        const values = await setUp(params && typeof params === "object" && !Array.isArray(params) ? (params as StateParams) : {});
        return values ?? undefined;
      },
    ]),
  );
  for (const [i, pact] of pacts.entries()) {
    const consumer = contents[i]!.consumer?.name ?? "";
    const token = opts.bearerTokens?.[consumer];
    const verifier = new Verifier({
      provider,
      providerBaseUrl: baseUrl,
      pactUrls: [pact],
      stateHandlers,
      logLevel: "error",
      failIfNoPactsFound: true,
      ...(token !== undefined ? { requestFilter: bearerFilter(token) } : {}),
    });
    try {
      await verifier.verifyProvider();
    } catch (e) {
      throw new Error(`the "${provider}" provider does not satisfy ${consumer}'s pact:\n${failureSummary(e)}`, { cause: e });
    }
  }
  return { pacts, interactions: contents.reduce((n, p) => n + (p.interactions?.length ?? 0), 0) };
}

/** A state parameter that must be a string (Pact keeps int64 amounts as strings too). */
export function stringParam(params: StateParams, name: string): string {
  const value = params[name];
  if (typeof value !== "string") throw new Error(`provider state parameter "${name}" must be a string, got ${JSON.stringify(value)}`);
  return value;
}

/** A state parameter that must be a list of strings: `given("airports exist", { codes: ["LIS", "MAD"] })`. */
export function stringListParam(params: StateParams, name: string): string[] {
  const value = params[name];
  if (!Array.isArray(value) || !value.every((v): v is string => typeof v === "string")) {
    throw new Error(`provider state parameter "${name}" must be a list of strings, got ${JSON.stringify(value)}`);
  }
  return value;
}

/**
 * Pact's verification proxy runs this before forwarding each request: a
 * request whose pact carries withBearer's example token gets a real one.
 * A token a provider state chose (withCustomerBearer) is left as it is.
 */
function bearerFilter(token: string) {
  return (req: IncomingMessage, _res: ServerResponse, next: () => void) => {
    if (req.headers.authorization === BEARER_EXAMPLE) req.headers.authorization = `Bearer ${token}`;
    next();
  };
}

/** The pact files in `dir` whose provider is `provider`. */
export async function pactsNaming(provider: string, dir: string): Promise<string[]> {
  const files = (await readdir(dir).catch(() => [])).filter((f) => f.endsWith(".json")).sort();
  const named: string[] = [];
  for (const f of files) {
    const pact = JSON.parse(await readFile(join(dir, f), "utf8")) as PactFile;
    if (pact.provider?.name === provider) named.push(join(dir, f));
  }
  return named;
}

interface VerificationResults {
  errors?: Array<{ interaction?: string; mismatch?: { type?: string; message?: string; mismatches?: Array<{ mismatch?: string; path?: string; type?: string }> } }>;
}

/** Pact's verifier rejects with its JSON results as the message: one line per mismatch. */
export function failureSummary(e: unknown): string {
  const message = e instanceof Error ? e.message : String(e);
  let results: VerificationResults;
  try {
    results = JSON.parse(message) as VerificationResults;
  } catch {
    return `  ${message}`;
  }
  const lines = (results.errors ?? []).flatMap((err) => {
    const m = err.mismatch;
    const details = m?.mismatches?.map((x) => `    - ${x.path ? `${x.path}: ` : ""}${x.mismatch ?? x.type ?? ""}`) ?? [];
    return [`  ${err.interaction ?? "(an interaction)"}${m?.message ? `: ${m.message}` : ""}`, ...details];
  });
  return lines.length > 0 ? lines.join("\n") : `  ${message}`;
}
