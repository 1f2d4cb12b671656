// The consumer side of a contract: a Pact V4 mock server per interaction, and
// the pact file the interactions add up to, checked against the committed one.
//
//   const pact = consumerPact("search", "wallet");
//   test("...", () => pact.interaction().given(...).uponReceiving(...)
//     .withRequest(...connectRequest(...)).willRespondWith(...connectResponse(...))
//     .executeTest(async (mock) => { ... the consumer's client against mock.url ... }));
//   test("the pact is the committed one", () => pact.settle());   // the last test
//   test.after(() => pact.close());
//
// Pact writes into a fresh temporary directory, never into contracts/pacts/
// directly: settle() compares what this run produced with the committed
// file and fails with a summary when they differ, unless PACT_UPDATE=1 (or
// opts.update) asks to write the new contract. A run that changes nothing
// leaves the committed file untouched, byte for byte. In CI (CI set to
// anything but "", "0" or "false") PACT_UPDATE=1 is refused and settle()
// never writes into contracts/pacts/: there, a changed contract fails.
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { fileURLToPath } from "node:url";
import { PactV4, type V3MockServer as MockServer } from "@pact-foundation/pact";
import { getFfiLib } from "@pact-foundation/pact-core";
import { quietPactCore } from "./quiet.js";

/** Where committed pact files live: contracts/pacts/<consumer>-<provider>.json. */
export const PACTS_DIR = fileURLToPath(new URL("./pacts/", import.meta.url));

export interface ConsumerPactOptions {
  /** Where the committed pact is compared and written (default PACTS_DIR). */
  pactsDir?: string;
  /** Write the new pact when it differs (default: PACT_UPDATE=1 in the environment). */
  update?: boolean;
  /** How long executeTest waits for the mock server to record matches (default 5 000 ms; see below). */
  recordWaitMs?: number;
  /** The environment PACT_UPDATE and CI are read from (default process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Whether this is a CI run: CI set to anything but "", "0" or "false" (any case). */
export function inCi(env: NodeJS.ProcessEnv = process.env): boolean {
  const ci = (env.CI ?? "").trim().toLowerCase();
  return ci !== "" && ci !== "0" && ci !== "false";
}

/**
 * Whether the run asks to write changed pacts: `opts.update`, else
 * PACT_UPDATE=1. PACT_UPDATE=1 in CI is refused (throws): a contract changes
 * on a developer's machine, as a reviewed diff, never as a side effect of CI.
 * settle() asks, so that the refusal fails a test, which prints it (uvu does
 * not print an error thrown in test.before).
 */
export function updateRequested(opts: Pick<ConsumerPactOptions, "update" | "env"> = {}): boolean {
  const env = opts.env ?? process.env;
  if (env.PACT_UPDATE === "1" && inCi(env)) {
    throw new Error(
      `PACT_UPDATE=1 is refused in CI (CI=${env.CI}): CI compares the pacts the consumers produce with contracts/pacts/ and never rewrites them. ` +
        `Run the consumer test with PACT_UPDATE=1 on your machine, review the diff of contracts/pacts/ and commit it; unset PACT_UPDATE in CI.`,
    );
  }
  return opts.update ?? env.PACT_UPDATE === "1";
}

export interface ConsumerPact {
  readonly consumer: string;
  readonly provider: string;
  /** The committed file this pact is compared with. */
  readonly file: string;
  /** A new interaction; finish it with executeTest, which checks the consumer's calls against it. */
  interaction(): ReturnType<PactV4["addInteraction"]>;
  /**
   * Compares the pact this run wrote with the committed one: "unchanged", or
   * "written" when they differed and updating was asked for; otherwise throws
   * an error listing the interactions added, removed or changed.
   */
  settle(): Promise<"unchanged" | "written">;
  /** Removes the temporary directory. */
  close(): Promise<void>;
}

export async function consumerPact(consumer: string, provider: string, opts: ConsumerPactOptions = {}): Promise<ConsumerPact> {
  quietPactCore();
  const scratch = await mkdtemp(join(tmpdir(), `pact-${consumer}-${provider}-`));
  const name = `${consumer}-${provider}.json`;
  const file = join(opts.pactsDir ?? PACTS_DIR, name);
  const pact = new PactV4({ consumer, provider, dir: scratch, logLevel: "error" });
  let failed = 0;
  return {
    consumer,
    provider,
    file,
    interaction: () => awaitingRecordedMatches(pact.addInteraction(), opts.recordWaitMs ?? RECORD_WAIT_MS, () => failed++),
    settle: async () => settleWithCommitted({ consumer, provider, written: join(scratch, name), file, update: updateRequested(opts), failed, env: opts.env }),
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}

export interface SettleOptions {
  consumer: string;
  provider: string;
  /** The pact file this run wrote. */
  written: string;
  /** The committed pact. */
  file: string;
  update: boolean;
  /** Interactions that failed in this run. */
  failed: number;
  /** Where CI is read from (default process.env): in CI nothing is written into PACTS_DIR. */
  env?: NodeJS.ProcessEnv;
}

/**
 * Compares the pact a run wrote with the committed one (HTTP and message
 * pacts alike): "unchanged", or "written" when they differ and updating was
 * asked for; otherwise throws listing the interactions added, removed or changed.
 */
export async function settleWithCommitted(o: SettleOptions): Promise<"unchanged" | "written"> {
  const { consumer, provider, file } = o;
  if (o.failed > 0) throw new Error(`${o.failed} interaction(s) of ${consumer} → ${provider} failed: the pact is incomplete, nothing compared or written`);
  if (!existsSync(o.written)) throw new Error(`no interaction of ${consumer} → ${provider} passed: nothing to compare`);
  const fresh = await readFile(o.written, "utf8");
  const committed = existsSync(file) ? await readFile(file, "utf8") : undefined;
  const changes = committed === undefined ? ["the pact is not committed yet"] : pactChanges(committed, fresh);
  if (changes.length === 0) return "unchanged";
  if (o.update) {
    if (inCi(o.env) && dirname(resolve(file)) === resolve(PACTS_DIR)) {
      throw new Error(`refusing to write ${file} in CI (CI=${o.env?.CI ?? process.env.CI}): the ${consumer} → ${provider} contract differs:\n  ${changes.join("\n  ")}`);
    }
    await writeFile(file, fresh);
    return "written";
  }
  throw new Error(
    `the ${consumer} → ${provider} contract differs from ${file}:\n  ${changes.join("\n  ")}\n` +
      `If the change is intended, run the consumer test with PACT_UPDATE=1 and commit the new pact ` +
      `(its provider's verification must then pass too).`,
  );
}

/**
 * Pact's mock server (pact-core 19) answers a request first and records that
 * it matched on another task: under load, executeTest can check before the
 * record lands and fail with "expected but not received" for a request that
 * was answered (pact-foundation/pact-core-mock-server#13, pact-reference#535;
 * seen here in half the runs). Until Pact ships the fix, executeTest waits,
 * after the consumer's code is done, until the mock server reports every
 * interaction matched, or `recordWaitMs` passed (a real mismatch then
 * fails as usual, that much later). It also counts the interactions that
 * failed, so that settle() never compares or writes an incomplete pact.
 */
const RECORD_WAIT_MS = 5_000;

type TestFn<T> = (mock: MockServer) => Promise<T>;

function awaitingRecordedMatches<T extends object>(stage: T, waitMs: number, onFailure: () => void): T {
  return new Proxy(stage, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      if (prop === "executeTest") {
        return <R>(testFn: TestFn<R>) =>
          (
            value.call(target, async (mock: MockServer) => {
              const result = await testFn(mock);
              await matchesRecorded(mock.port, waitMs);
              return result;
            }) as Promise<R | undefined>
          ).catch((e: unknown) => {
            onFailure();
            throw e;
          });
      }
      return (...args: unknown[]) => {
        const next: unknown = value.apply(target, args);
        return typeof next === "object" && next !== null ? awaitingRecordedMatches(next, waitMs, onFailure) : next;
      };
    },
  });
}

async function matchesRecorded(port: number, waitMs: number): Promise<void> {
  const ffi = getFfiLib();
  const deadline = Date.now() + waitMs;
  while (!ffi.pactffiMockServerMatched(port) && Date.now() < deadline) await sleep(5);
}

interface PactFile {
  interactions?: Array<{ description?: string; providerStates?: Array<{ name?: string }> }>;
  metadata?: Record<string, unknown>;
  [key: string]: unknown;
}

/**
 * What changed between two pact files, one line each; empty when the contract
 * is the same. The versions of pact-js and its core in the metadata are not
 * part of the contract: upgrading Pact alone changes nothing.
 */
export function pactChanges(before: string, after: string): string[] {
  const [a, b] = [JSON.parse(before) as PactFile, JSON.parse(after) as PactFile];
  const key = (i: NonNullable<PactFile["interactions"]>[number]) =>
    `"${i.description ?? ""}"${i.providerStates?.length ? ` given ${i.providerStates.map((s) => `"${s.name ?? ""}"`).join(", ")}` : ""}`;
  const byKey = (p: PactFile) => new Map((p.interactions ?? []).map((i) => [key(i), canonical(i)]));
  const [was, now] = [byKey(a), byKey(b)];
  const changes: string[] = [];
  for (const [k, v] of now) {
    if (!was.has(k)) changes.push(`added interaction ${k}`);
    else if (was.get(k) !== v) changes.push(`changed interaction ${k}`);
  }
  for (const k of was.keys()) if (!now.has(k)) changes.push(`removed interaction ${k} (or its test failed)`);
  const rest = (p: PactFile) => {
    const { interactions: _interactions, metadata, ...others } = p;
    const { "pact-js": _js, pactRust: _rust, ...meta } = metadata ?? {};
    return canonical({ ...others, metadata: meta });
  };
  if (rest(a) !== rest(b)) changes.push("changed consumer, provider or specification version");
  return changes;
}

/** JSON with object keys sorted, so that key order never counts as a change. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) =>
    v && typeof v === "object" && !Array.isArray(v)
      ? Object.fromEntries(Object.entries(v as Record<string, unknown>).sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)))
      : v,
  );
}
