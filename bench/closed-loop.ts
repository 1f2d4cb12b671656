// The closed-loop driver of bench-kit and bench-transport: a fixed number of
// calls in flight for a while, counting completions, errors, latencies, the
// server's CPU (its process_cpu_seconds_total) and this process's (the
// client's), so that either side's cost per call is a figure.

export interface Round {
  calls: number;
  errors: number;
  seconds: number;
  /** The server's CPU over the round. */
  cpuSeconds: number;
  /** This process's CPU: the client's cost, to see which side limits calls/s. */
  clientCpuSeconds: number;
  latenciesMs: number[];
}

/** Keeps `inFlight` calls going for `seconds`; `cpu` reads the server's CPU seconds so far. */
export async function drive(call: () => Promise<unknown>, seconds: number, inFlight: number, cpu: () => Promise<number>): Promise<Round> {
  const cpuBefore = await cpu();
  const clientBefore = process.cpuUsage();
  const started = performance.now();
  const until = started + seconds * 1000;
  const latenciesMs: number[] = [];
  let errors = 0;
  const worker = async () => {
    while (performance.now() < until) {
      const t = performance.now();
      try {
        await call();
        latenciesMs.push(performance.now() - t);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: inFlight }, worker));
  const client = process.cpuUsage(clientBefore);
  return {
    calls: latenciesMs.length,
    errors,
    seconds: (performance.now() - started) / 1000,
    cpuSeconds: (await cpu()) - cpuBefore,
    clientCpuSeconds: (client.user + client.system) / 1e6,
    latenciesMs,
  };
}

/** A server's CPU seconds so far, from its /metrics. */
export async function serverCpuSeconds(baseUrl: string): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const m = /^process_cpu_seconds_total(?:\{[^}]*\})? ([0-9.e+-]+)$/m.exec(text);
  if (!m) throw new Error("the bench server's /metrics has no process_cpu_seconds_total");
  return Number(m[1]);
}
