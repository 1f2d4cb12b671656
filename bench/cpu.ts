// Where the CPU went during a benchmark phase (bench/search.ts, bench/web.ts):
// the services' own CPU from their /metrics (process_cpu_seconds_total); from
// Linux's /proc, the whole machine's busy time (other work shares the 2
// cores) and the embedded PostgreSQL's — the postmaster's own time, the time
// of backends already gone (its cutime/cstime) and of the live ones; and the
// load generator's own. Reported as CPU milliseconds per search per process,
// and as cores. Also search's cache lookups, from its /metrics.
import { readdir, readFile } from "node:fs/promises";

const TICKS_PER_SECOND = 100; // USER_HZ on Linux

/** Busy and total CPU seconds of the machine so far (all cores), from /proc/stat's first line. */
export async function machineSeconds(): Promise<{ busy: number; total: number }> {
  const first = (await readFile("/proc/stat", "utf8")).split("\n")[0]!;
  const ticks = first.trim().split(/\s+/).slice(1).map(Number);
  const total = ticks.reduce((a, b) => a + b, 0);
  const idle = (ticks[3] ?? 0) + (ticks[4] ?? 0); // idle + iowait
  return { busy: (total - idle) / TICKS_PER_SECOND, total: total / TICKS_PER_SECOND };
}

interface Stat {
  pid: number;
  ppid: number;
  /** utime + stime, and cutime + cstime, in seconds. */
  own: number;
  children: number;
}

async function stat(pid: string): Promise<Stat | undefined> {
  try {
    const text = await readFile(`/proc/${pid}/stat`, "utf8");
    // The command name is in parentheses and may hold spaces: fields count from after it.
    const f = text.slice(text.lastIndexOf(")") + 2).split(" ");
    const n = (i: number) => Number(f[i - 3]);
    return { pid: Number(pid), ppid: n(4), own: (n(14) + n(15)) / TICKS_PER_SECOND, children: (n(16) + n(17)) / TICKS_PER_SECOND };
  } catch {
    return undefined; // gone meanwhile
  }
}

/** The PostgreSQL listening on `port` (its postmaster's command line says `-p <port>`), or undefined. */
export async function postmasterPid(port: number): Promise<number | undefined> {
  for (const pid of (await readdir("/proc")).filter((p) => /^\d+$/.test(p))) {
    const args: string[] = await readFile(`/proc/${pid}/cmdline`, "utf8").then((t) => t.split("\0"), () => []);
    if (!args[0]?.endsWith("postgres")) continue;
    const p = args.indexOf("-p");
    if (p >= 0 && args[p + 1] === String(port)) return Number(pid);
  }
  return undefined;
}

/** CPU seconds so far of the postmaster and all its backends, dead or alive. */
export async function postgresSeconds(postmaster: number): Promise<number> {
  const all = (await Promise.all((await readdir("/proc")).filter((p) => /^\d+$/.test(p)).map(stat))).filter((s) => s !== undefined);
  const root = all.find((s) => s.pid === postmaster);
  if (!root) return NaN;
  return root.own + root.children + all.filter((s) => s.ppid === postmaster).reduce((a, s) => a + s.own, 0);
}

/** The text of a process's /metrics. */
async function metricsText(baseUrl: string): Promise<string> {
  return (await fetch(`${baseUrl}/metrics`)).text();
}

/** A process's CPU seconds so far, from its /metrics (prom-client's process_cpu_seconds_total). */
export async function cpuSeconds(baseUrl: string): Promise<number> {
  const line = (await metricsText(baseUrl)).split("\n").find((l) => l.startsWith("process_cpu_seconds_total "));
  return line ? Number(line.split(" ")[1]) : NaN;
}

/** One thing whose CPU is measured: a label and its CPU seconds so far. */
export interface CpuPart {
  readonly label: string;
  seconds(): Promise<number>;
}

/** The parts' CPU seconds and the machine's, at one moment. */
export interface CpuSnapshot {
  readonly parts: readonly number[];
  readonly machine: { busy: number; total: number };
}

/** Services by their /metrics URL, PostgreSQL (when its postmaster is known), and this process. */
export function cpuParts(services: readonly { label: string; metricsUrl: string }[], postmaster: number | undefined): CpuPart[] {
  return [
    ...services.map(({ label, metricsUrl }) => ({ label, seconds: () => cpuSeconds(metricsUrl) })),
    { label: "PostgreSQL", seconds: async () => (postmaster === undefined ? NaN : postgresSeconds(postmaster)) },
    {
      label: "bench client",
      seconds: async () => {
        const own = process.cpuUsage();
        return (own.user + own.system) / 1e6;
      },
    },
  ];
}

export async function snapshot(parts: readonly CpuPart[]): Promise<CpuSnapshot> {
  return { parts: await Promise.all(parts.map((p) => p.seconds())), machine: await machineSeconds() };
}

/**
 * Two lines: CPU milliseconds per search for each part (and the sum of the
 * system's, the load generator left out), and the cores each used over the
 * phase, the machine's too.
 */
export function cpuLines(parts: readonly CpuPart[], before: CpuSnapshot, after: CpuSnapshot, searches: number, cores: number): string[] {
  const used = after.parts.map((c, i) => c - before.parts[i]!);
  const wall = (after.machine.total - before.machine.total) / cores;
  const system = used.slice(0, -1).reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0);
  const ms = (seconds: number) => ((seconds * 1000) / Math.max(1, searches)).toFixed(2);
  const busy = (after.machine.busy - before.machine.busy) / wall;
  const ours = used.reduce((a, b) => a + (Number.isNaN(b) ? 0 : b), 0) / wall;
  return [
    `CPU ms per search: ${parts.map((p, i) => `${p.label} ${ms(used[i]!)}`).join(", ")}; the system's sum ${ms(system)}`,
    `cores used: ${parts.map((p, i) => `${p.label} ${(used[i]! / wall).toFixed(2)}`).join(", ")}; machine ${busy.toFixed(2)} of ${cores} (other work ${Math.max(0, busy - ours).toFixed(2)})`,
  ];
}

/** search's cache lookups so far, by "cache/result" ("offers/hit"), from its /metrics. */
export async function cacheLookups(searchMetricsUrl: string): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (const line of (await metricsText(searchMetricsUrl)).split("\n")) {
    const m = /^search_cache_lookups_total\{cache="(\w+)",result="(\w+)"\} (\d+)/.exec(line);
    if (m) counts.set(`${m[1]}/${m[2]}`, Number(m[3]));
  }
  return counts;
}

/** "listings 93.1 % hit (… shared, … off), offers …" between two readings of cacheLookups. */
export function cacheLine(before: Map<string, number>, after: Map<string, number>): string {
  const delta = (k: string) => (after.get(k) ?? 0) - (before.get(k) ?? 0);
  return ["listings", "offers"]
    .map((cache) => {
      const [hit, miss, shared, off, unkept] = ["hit", "miss", "shared", "off", "unkept"].map((r) => delta(`${cache}/${r}`)) as [number, number, number, number, number];
      const all = hit + miss + shared + off;
      if (all === 0) return `${cache}: no lookups`;
      return `${cache} ${((100 * hit) / all).toFixed(1)} % hit (${hit} hit, ${shared} shared a load, ${miss} miss — ${unkept} of them not kept —, ${off} off)`;
    })
    .join("; ");
}
