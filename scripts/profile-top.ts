// Reads a V8 CPU profile (.cpuprofile, from node --cpu-prof) and prints
// where the busy time went (idle left out): the functions with the most self
// time, and the same summed by package (node_modules/<name>) or by file of ours.
//   node scripts/profile-top.ts .data/profiles/search/CPU.….cpuprofile [top=25]
import { readFile } from "node:fs/promises";

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

const [file, topArg] = process.argv.slice(2);
if (!file) {
  console.error("usage: node scripts/profile-top.ts <file.cpuprofile> [top]");
  process.exit(2);
}
const top = Number(topArg ?? 25);
const profile = JSON.parse(await readFile(file, "utf8")) as Profile;

// Self time per node: each sample's delta goes to the node it hit.
const selfUs = new Map<number, number>();
profile.samples.forEach((id, i) => selfUs.set(id, (selfUs.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
for (const [id] of selfUs) if (byId.get(id)?.callFrame.functionName === "(idle)") selfUs.delete(id);
const totalUs = [...selfUs.values()].reduce((a, b) => a + b, 0);

const where = (n: ProfileNode) => {
  const url = n.callFrame.url.replace(/^file:\/\//, "");
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url)?.[1];
  if (pkg) return `npm:${pkg}`;
  if (url === "") return n.callFrame.functionName.startsWith("(") ? n.callFrame.functionName : "(native)";
  if (url.startsWith("node:")) return url;
  return url.replace(/^.*?\/(services|endpoints|transport|platform|gen|scripts|sandbox|bench)\//, "$1/");
};
const sum = (key: (n: ProfileNode) => string) => {
  const out = new Map<string, number>();
  for (const [id, us] of selfUs) {
    const n = byId.get(id)!;
    out.set(key(n), (out.get(key(n)) ?? 0) + us);
  }
  return [...out].sort((a, b) => b[1] - a[1]).slice(0, top);
};
const pct = (us: number) => `${((100 * us) / totalUs).toFixed(1).padStart(5)} %`;

console.log(`${file}: ${(totalUs / 1000).toFixed(0)} ms busy over ${((profile.endTime - profile.startTime) / 1e6).toFixed(1)} s`);
console.log(`\ntop ${top} functions by self time:`);
for (const [k, us] of sum((n) => `${n.callFrame.functionName || "(anonymous)"}  ${where(n)}:${n.callFrame.lineNumber + 1}`)) console.log(`${pct(us)}  ${k}`);
console.log(`\nby package or file:`);
for (const [k, us] of sum(where)) console.log(`${pct(us)}  ${k}`);
