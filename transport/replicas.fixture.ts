// Test fixture of the balancing tests (transport/balancer.test.ts): replicas
// of the echo service that say who they are. Each answers Echo with its own
// name and counts its Increments, so that a test counts calls per replica
// and proves no Increment ran twice (the counts add up to the successes).
// Run as a file, it is one replica in a process of its own (a replica to
// SIGKILL): REPLICA_NAME, REPLICA_PORT (0: any); it prints its port, and
// drains on SIGTERM as a service does.
import { fileURLToPath } from "node:url";
import type { Service } from "../endpoints/service.js";
import type { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { echoImpl, startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";

export interface NamedReplica {
  readonly name: string;
  readonly server: RunningServer;
  /** Increments it ran. */
  increments(): number;
}

/** `lagMs`: how long this replica takes to answer Echo and Increment (a cold or overloaded replica). */
export function namedImpl(name: string, counted: { increments: number }, lagMs = 0): Service<typeof EchoService> {
  const base = echoImpl();
  const lag = () => (lagMs > 0 ? new Promise((r) => setTimeout(r, lagMs)) : undefined);
  return {
    ...base,
    async echo() {
      await lag();
      return { message: name };
    },
    async increment(ctx, req) {
      await lag();
      counted.increments++;
      return base.increment(ctx, req);
    },
  };
}

export async function startNamedReplica(name: string, opts: { host?: string; port?: number; lagMs?: number } = {}): Promise<NamedReplica> {
  const counted = { increments: 0 };
  const server = await startEchoServer({ impl: namedImpl(name, counted, opts.lagMs), port: opts.port ?? 0, ...(opts.host ? { host: opts.host } : {}) });
  return { name, server, increments: () => counted.increments };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const replica = await startNamedReplica(process.env.REPLICA_NAME ?? "child", { port: Number(process.env.REPLICA_PORT ?? 0) });
  process.stdout.write(`${replica.server.port}\n`);
  process.once("SIGTERM", () => void replica.server.close(5_000).then(() => process.exit(0)));
}
