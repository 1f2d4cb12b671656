// Client-side balancing (transport/balancer.ts through transport/client.ts's
// grpcTransport), over real HTTP/2 servers on port 0 and a replica in a
// process of its own: calls spread over every replica; one that drains (its
// real close(): GOAWAY) or is killed (SIGKILL) costs no idempotent call and no
// call that was not sent, and none is sent to it after its GOAWAY; a replica
// that comes back gets calls again; a host name with several addresses is
// balanced. Both unary clients: the fast path and connect-node's.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { breaker } from "../endpoints/middleware/breaker.js";
import { startProcess, until, type TestProcess } from "../platform/processes.testing.js";
import type { Balancer } from "./balancer.js";
import { clientOf, grpcTransport } from "./client.js";
import { startNamedReplica, type NamedReplica } from "./replicas.fixture.js";
import { backgroundContext } from "../endpoints/context.js";
import { silentLog } from "./echo.fixture.js";

const CLIENTS = [
  { name: "fast path", unaryFastPath: true },
  { name: "connect-node", unaryFastPath: false },
] as const;

const balancerOf = (t: Transport) => (t as Transport & { balancer: Balancer }).balancer;
const urls = (replicas: readonly NamedReplica[]) => replicas.map((r) => r.server.url).join(",");

function countBy(names: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const n of names) out[n] = (out[n] ?? 0) + 1;
  return out;
}

for (const { name, unaryFastPath } of CLIENTS) {
  const tests = suite(`balancing (${name})`);

  tests("calls go round the replicas, one after another", async () => {
    const replicas = await Promise.all(["a", "b", "c"].map((n) => startNamedReplica(n)));
    try {
      const client = createClient(EchoService, grpcTransport(urls(replicas), { unaryFastPath }));
      const answers: string[] = [];
      for (let i = 0; i < 30; i++) answers.push((await client.echo({ message: "" })).message);
      assert.equal(countBy(answers), { a: 10, b: 10, c: 10 });
      const concurrent = await Promise.all(Array.from({ length: 30 }, () => client.echo({ message: "" }).then((r) => r.message)));
      assert.equal(countBy(concurrent), { a: 10, b: 10, c: 10 });
    } finally {
      await Promise.all(replicas.map((r) => r.server.close(1_000)));
    }
  });

  tests.run();
}
