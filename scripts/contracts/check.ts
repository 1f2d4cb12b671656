// The contract check behind `make breaking`: the tree's contracts against the
// released ones (contracts/released) — buf breaking's findings, every change
// of a method's or a message's options, a changed buf.yaml — each either acknowledged in
// contracts/acknowledged-changes.json or a failure.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ACK_FILE, entryFor, readAcknowledgements, reconcile, type Difference } from "./acknowledgements.js";
import { ensureCommit, git, readReleased, RELEASED_FILE } from "./baseline.js";
import { breakingFindings, buildImage } from "./buf.js";
import { semanticDiff, type NewMethod } from "./semantic-diff.js";

export interface CheckResult {
  ok: boolean;
  /** What to print, line by line. */
  report: string[];
}

function describe(d: Difference, released: string): string {
  switch (d.kind) {
    case "buf":
      return `${d.path}:${d.line}: ${d.rule}: ${d.message}`;
    case "option":
      return `${d.method} ${d.option}: ${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}`;
    case "message-option":
      return `message ${d.message} ${d.option}: ${JSON.stringify(d.from)} → ${JSON.stringify(d.to)}`;
    case "config":
      return `${d.file} changed since the release, and with it maybe the rules that judge the contracts (git diff ${released.slice(0, 12)} -- ${d.file}): blob ${d.from} → ${d.to}`;
  }
}

/**
 * The buf.yaml that judges the tree is the tree's own: a change to it (a rule
 * dropped, a path ignored) could hide a breaking change, so it is a difference too.
 */
function configChange(root: string, released: string): Difference[] {
  const file = "buf.yaml";
  const from = git(root, ["ls-tree", released, "--", file]).split(/\s+/)[2] ?? "(none)"; // "<mode> blob <id>\tbuf.yaml"
  const to = existsSync(path.join(root, file)) ? git(root, ["hash-object", "--", file]) : "(none)";
  return from === to ? [] : [{ kind: "config", file, from, to }];
}

/** buf's findings, the option changes and a changed buf.yaml between the released commit and the working tree. */
function compare(root: string, released: string): { differences: Difference[]; added: NewMethod[] } {
  const dir = mkdtempSync(path.join(tmpdir(), "contracts-"));
  try {
    const base = path.join(dir, "released.binpb");
    const head = path.join(dir, "tree.binpb");
    buildImage(root, `.git#ref=${released}`, base);
    buildImage(root, ".", head);
    const { changes, messageChanges, added } = semanticDiff(readFileSync(base), readFileSync(head));
    const differences = [
      // A method's options are the semantic diff's to report, idempotency_level included, whatever
      // rules buf.yaml picks; buf's own finding for it would ask for a second entry for one change.
      ...breakingFindings(root, base)
        .filter((f) => f.rule !== "RPC_SAME_IDEMPOTENCY_LEVEL")
        .map((f): Difference => ({ kind: "buf", ...f })),
      ...changes.map((c): Difference => ({ kind: "option", ...c })),
      ...messageChanges.map((c): Difference => ({ kind: "message-option", ...c })),
      ...configChange(root, released),
    ];
    return { differences, added };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Compares the contracts in `root`'s working tree with the released ones; throws when it cannot compare. */
export function checkContracts(root: string): CheckResult {
  const released = readReleased(root);
  const report: string[] = [];
  if (ensureCommit(root, released) === "fetched") report.push(`fetched the released commit ${released.slice(0, 12)} from origin (this clone did not have it)`);
  report.push(`contracts compared with the release ${released.slice(0, 12)} (${RELEASED_FILE}): buf breaking's rules, every method and message option, buf.yaml itself`);

  const { differences, added } = compare(root, released);
  for (const m of added) report.push(`new method ${m.method} (information, not a failure): ${JSON.stringify(m.options)}`);
  const { unacknowledged, acknowledged, stale } = reconcile(differences, readAcknowledgements(root));
  for (const a of acknowledged) report.push(`acknowledged: ${describe(a.difference, released)} — ${a.why}`);
  if (unacknowledged.length > 0) {
    report.push(`${unacknowledged.length} change(s) to the released contracts not acknowledged:`);
    for (const d of unacknowledged) report.push(`  ${describe(d, released)}`);
    report.push(
      `Every caller built against the release may depend on what changed. Undo the change, or if it is deliberate, add its entry to`,
      `"acknowledged" in ${ACK_FILE}, with "why" saying why it is deliberate and no caller breaks (the reviewer approves it there):`,
    );
    for (const d of unacknowledged) report.push(`  ${JSON.stringify(entryFor(d))}`);
  }
  if (stale.length > 0) {
    report.push(`${stale.length} acknowledgement(s) in ${ACK_FILE} match no change between the release and this tree; remove them (an entry left behind would approve that change unseen if it came back):`);
    for (const a of stale) report.push(`  ${JSON.stringify(a.names)}`);
  }
  const ok = unacknowledged.length === 0 && stale.length === 0;
  report.push(
    ok
      ? `no change to the released contracts beyond the ${acknowledged.length} acknowledged`
      : `make breaking: ${unacknowledged.length} unacknowledged change(s), ${stale.length} stale acknowledgement(s)`,
  );
  return { ok, report };
}
