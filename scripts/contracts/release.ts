// `make release-contracts`: records HEAD as the released contracts in
// contracts/released and empties contracts/acknowledged-changes.json (what was
// acknowledged is now part of the release). Run it on main once the commit has
// landed, then commit both files: that commit is the release, seen in review.
// Refuses while `make breaking` fails (a release must not swallow an
// unreviewed change) and while proto/ or buf.yaml differ from HEAD.
import { clearAcknowledgements, ACK_FILE } from "./acknowledgements.js";
import { git, readReleased, writeReleased, RELEASED_FILE } from "./baseline.js";
import { checkContracts } from "./check.js";

function release(root: string): void {
  const uncommitted = git(root, ["status", "--porcelain", "--", "proto", "buf.yaml", RELEASED_FILE, ACK_FILE]);
  if (uncommitted !== "") {
    throw new Error(`commit or undo these first, the release records HEAD's contracts:\n${uncommitted}`);
  }
  const { ok, report } = checkContracts(root);
  if (!ok) throw new Error(`make breaking fails, so nothing is released:\n${report.join("\n")}`);
  const before = readReleased(root);
  const head = git(root, ["rev-parse", "HEAD"]);
  if (head === before) {
    console.log(`HEAD ${head.slice(0, 12)} is already the released commit`);
    return;
  }
  writeReleased(root, head);
  clearAcknowledgements(root);
  console.log(`${RELEASED_FILE}: ${before.slice(0, 12)} → ${head.slice(0, 12)}; ${ACK_FILE} emptied.`);
  console.log(`Commit both files ("Release the contracts of ${head.slice(0, 12)}"): HEAD must be a commit origin keeps (main), or CI cannot fetch it.`);
}

try {
  release(git(process.cwd(), ["rev-parse", "--show-toplevel"]));
} catch (e) {
  console.error(`make release-contracts: ${(e as Error).message}`);
  process.exitCode = 1;
}
