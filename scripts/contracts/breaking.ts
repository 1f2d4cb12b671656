// `make breaking`: the contracts in this tree against the released ones
// (contracts/released); exit 1 on a change nobody acknowledged, on a stale
// acknowledgement, and whenever it cannot compare (never a pass by default).
//
//   node --import tsx scripts/contracts/breaking.ts   (from anywhere inside the repository)
import { checkContracts } from "./check.js";
import { git } from "./baseline.js";

try {
  const { ok, report } = checkContracts(git(process.cwd(), ["rev-parse", "--show-toplevel"]));
  for (const line of report) (ok ? console.log : console.error)(line);
  process.exitCode = ok ? 0 : 1;
} catch (e) {
  console.error(`make breaking could not compare the contracts: ${(e as Error).message}`);
  process.exitCode = 1;
}
