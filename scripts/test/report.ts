// What the runner prints: a line per file as it ends (with the failures and the
// file's output when it failed), then every skip with its reason, every
// failure in one list, and last the line CI reads: "N passed, N failed, N skipped".
import type { Failure } from "./records.js";
import type { FileResult, TestResult } from "./run-file.js";

export interface Counts {
  passed: number;
  failed: number;
  skipped: number;
}

export function countsOf(r: FileResult): Counts {
  const count = (status: TestResult["status"]) => r.tests.filter((t) => t.status === status).length;
  return { passed: count("pass"), failed: count("fail") + r.problems.length, skipped: count("skip") };
}

export function totalOf(results: FileResult[]): Counts {
  const total = { passed: 0, failed: 0, skipped: 0 };
  for (const c of results.map(countsOf)) {
    total.passed += c.passed;
    total.failed += c.failed;
    total.skipped += c.skipped;
  }
  return total;
}

export const countsLine = (c: Counts) => `${c.passed} passed, ${c.failed} failed, ${c.skipped} skipped`;

export function fileReport(r: FileResult, verbose: boolean): string {
  const counts = countsOf(r);
  const lines = [`${counts.failed > 0 ? "FAIL" : "ok  "} ${r.file}  (${countsLine(counts)}, ${(r.ms / 1000).toFixed(1)} s)`];
  for (const t of r.tests) {
    if (t.status === "fail") lines.push(indent(`✘ ${title(t)}\n${describe(t.failure)}`));
    else if (verbose) lines.push(indent(t.status === "pass" ? `• ${title(t)} (${t.ms.toFixed(0)} ms)` : `- ${title(t)} (skipped: ${t.reason})`));
  }
  for (const p of r.problems) lines.push(indent(`✘ ${describe(p)}`));
  if ((counts.failed > 0 || verbose) && r.output.trim()) lines.push(indent(`its output:\n${indent(r.output.trimEnd())}`));
  return lines.join("\n");
}

export function summary(results: FileResult[], seconds: number): string {
  const lines: string[] = [""];
  for (const r of results) {
    for (const t of r.tests) if (t.status === "skip") lines.push(`skipped  ${r.file} › ${title(t)} — reason: ${t.reason}`);
  }
  for (const r of results) {
    for (const t of r.tests) if (t.status === "fail") lines.push(`failed   ${r.file} › ${title(t)}: ${firstLine(t.failure.message)}`);
    for (const p of r.problems) lines.push(`failed   ${r.file}: ${firstLine(p.message)}`);
  }
  lines.push(`${results.length} test files in ${seconds.toFixed(1)} s`, countsLine(totalOf(results)));
  return lines.join("\n");
}

const title = (t: TestResult) => (t.suite ? `${t.suite} › ${t.name}` : t.name);
const firstLine = (text: string) => text.split("\n")[0] ?? "";

function describe(f: Failure): string {
  return [f.message, f.details, f.stack].filter(Boolean).join("\n");
}

function indent(text: string): string {
  return text
    .split("\n")
    .map((l) => `    ${l}`)
    .join("\n");
}
