// Which consumer test produces each committed pact, and whether it ends in
// the comparison with the committed file (settle()): a pact no test produces
// any more is never compared again (an orphan), a test that forgot settle()
// never compares its pact, and a pact a test produces but nobody committed
// is no contract. contracts/edges.test.ts fails on each, naming the file.
//
// A consumer test names its pact with string literals,
// `consumerPact("search", "wallet")` or `messagePact("mailer", "booking-events")`,
// so that the file it produces is known without running it.
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

export interface PactProducer {
  /** The consumer test, relative to the consumers directory. */
  test: string;
  /** The pact files it produces: "<consumer>-<provider>.json". */
  pacts: string[];
  /** How many times it calls settle(). */
  settles: number;
}

const PACT_CALL = /\b(?:consumerPact|messagePact)\(\s*("[^"]*"|'[^']*'|`[^`]*`|[^,)]+)\s*,\s*("[^"]*"|'[^']*'|`[^`]*`|[^,)]+)/g;
const LITERAL = /^"([a-z0-9-]+)"$/;

/** The consumer tests in `consumersDir` (*.test.ts) and the pacts each produces. */
export function pactProducers(consumersDir: string): PactProducer[] {
  return readdirSync(consumersDir)
    .filter((f) => f.endsWith(".test.ts"))
    .sort()
    .map((test) => {
      const code = readFileSync(join(consumersDir, test), "utf8").replace(/^\s*\/\/.*$/gm, "");
      const pacts = [...code.matchAll(PACT_CALL)].map(([, consumer, provider]) => {
        const [c, p] = [LITERAL.exec(consumer!.trim())?.[1], LITERAL.exec(provider!.trim())?.[1]];
        return c && p ? `${c}-${p}.json` : `(not literal: ${consumer!.trim()}, ${provider!.trim()})`;
      });
      return { test, pacts, settles: code.match(/\.settle\(\)/g)?.length ?? 0 };
    })
    .filter((p) => p.pacts.length > 0);
}

/** Every way the committed pacts in `pactsDir` and the consumer tests in `consumersDir` disagree; empty when none. */
export function pactFileProblems(consumersDir: string, pactsDir: string): string[] {
  const producers = pactProducers(consumersDir);
  const problems: string[] = [];
  const produced = new Map<string, string>();
  for (const p of producers) {
    for (const pact of p.pacts) {
      if (pact.startsWith("(not literal")) problems.push(`${p.test}: name the pact with string literals, consumerPact("<consumer>", "<provider>"): ${pact}`);
      else if (produced.has(pact)) problems.push(`${pact} is produced by both ${produced.get(pact)} and ${p.test}: one consumer test per pact file`);
      else produced.set(pact, p.test);
    }
    if (p.settles < p.pacts.length) {
      problems.push(`${p.test} produces ${p.pacts.join(", ")} but calls settle() ${p.settles} time(s): end with a test that settles each pact, or it is never compared with contracts/pacts/`);
    }
  }
  const committed = existsSync(pactsDir) ? readdirSync(pactsDir).filter((f) => f.endsWith(".json")).sort() : [];
  for (const file of committed) {
    if (!produced.has(file)) problems.push(`${file} is committed but no consumer test produces it: an orphan never compared again — delete it, or restore its consumer test`);
    const pact = JSON.parse(readFileSync(join(pactsDir, file), "utf8")) as { consumer?: { name?: string }; provider?: { name?: string } };
    if (`${pact.consumer?.name}-${pact.provider?.name}.json` !== file) problems.push(`${file} names ${pact.consumer?.name} → ${pact.provider?.name}: its file name must be <consumer>-<provider>.json`);
  }
  for (const [file, test] of produced) {
    if (!committed.includes(file)) problems.push(`${test} produces ${file}, which is not committed: run it with PACT_UPDATE=1 and commit contracts/pacts/${file}`);
  }
  return problems;
}
