// Where the CPU went during a bench/web.ts phase, read from Linux's /proc:
// the whole machine's busy time (other work shares the 2 cores), and the
// embedded PostgreSQL's — the postmaster's own time, the time of backends
// already gone (its cutime/cstime) and of the live ones. The services' own
// CPU comes from their /metrics (process_cpu_seconds_total).
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
