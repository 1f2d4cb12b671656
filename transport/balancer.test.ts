// Client-side balancing (transport/balancer.ts through transport/client.ts's
// grpcTransport), over real HTTP/2 servers on port 0 and a replica in a
// process of its own: calls spread over every replica; one that drains (its
// real close(): GOAWAY) or is killed (SIGKILL) costs no idempotent call and no
// call that was not sent, and none is sent to it after its GOAWAY; a replica
// that comes back gets calls again; a host name with several addresses is
// balanced. Both unary clients: the fast path and connect-node's. Each
// replica going out and coming back is logged once, with why and how.
import { suite } from "uvu";
import * as assert from "uvu/assert";
import { createClient, type Transport } from "@connectrpc/connect";
import { pino } from "pino";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { asKitError, Code } from "../endpoints/errors.js";
import { breaker } from "../endpoints/middleware/breaker.js";
import { freePort, startProcess, until, type TestProcess } from "../platform/processes.testing.js";
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
      const transport = grpcTransport(urls(replicas), { unaryFastPath });
      const client = createClient(EchoService, transport);
      const answers: string[] = [];
      for (let i = 0; i < 30; i++) answers.push((await client.echo({ message: "" })).message);
      assert.equal(countBy(answers), { a: 10, b: 10, c: 10 });
      const concurrent = await Promise.all(Array.from({ length: 30 }, () => client.echo({ message: "" }).then((r) => r.message)));
      assert.equal(countBy(concurrent), { a: 10, b: 10, c: 10 });
      const streamed = await Promise.all(replicas.map(async () => {
        const got: number[] = [];
        for await (const step of client.countdown({ count: 2 })) got.push(step.remaining);
        return got;
      }));
      assert.equal(streamed, [[2, 1], [2, 1], [2, 1]], "server streams go over the balanced transport too");
      assert.equal(balancerOf(transport).replicaStates().map((r) => r.calls), [21, 21, 21], "each replica opened one of the streams");
    } finally {
      await Promise.all(replicas.map((r) => r.server.close(1_000)));
    }
  });

  tests("a replica drains under a steady stream of calls: none fails, none is sent to it after its GOAWAY, no circuit opens", async () => {
    const replicas = await Promise.all(["a", "b", "c"].map((n) => startNamedReplica(n)));
    const [, draining] = replicas;
    const transport = grpcTransport(urls(replicas), { unaryFastPath });
    const circuits = breaker();
    const client = clientOf(EchoService, transport, circuits);
    const ctx = backgroundContext({ log: silentLog });
    const stateOf = (url: string) => balancerOf(transport).replicaStates().find((r) => r.baseUrl === url)!;
    let succeeded = 0;
    const failed: unknown[] = [];
    let stop = false;
    // Increment is not idempotent: only calls that were not sent may go elsewhere, and none may run twice.
    const worker = async () => {
      while (!stop) await client.increment(ctx, { by: 1 }).then(() => succeeded++, (e: unknown) => failed.push(e));
    };
    const workers = Array.from({ length: 8 }, worker);
    try {
      await until("calls on every replica", () => (replicas.every((r) => r.increments() > 20) ? true : undefined));
      // A slow call keeps the draining replica's connection open while the stream goes on.
      const inFlight = client.slow(ctx, { delayMs: 1_000 });
      await until("the slow call to start", () => (stateOf(draining!.server.url).calls > 0 ? true : undefined));
      const closed = draining!.server.close(10_000);
      await until("the client to see the GOAWAY", () => (stateOf(draining!.server.url).up ? undefined : true));
      const sentBeforeGoaway = stateOf(draining!.server.url).calls;
      const atGoaway = succeeded;
      await until("200 more calls", () => (succeeded > atGoaway + 200 ? true : undefined));
      assert.is(stateOf(draining!.server.url).calls, sentBeforeGoaway, "no call sent to the replica after its GOAWAY");
      assert.is((await inFlight).waitedMs, 1_000, "the call in flight on the draining replica finished");
      await closed;
      stop = true;
      await Promise.all(workers);
      assert.equal(failed.map((e) => String(e)), []);
      assert.is(replicas.reduce((n, r) => n + r.increments(), 0), succeeded, "every increment ran exactly once");
      assert.equal([...new Set(Object.values(circuits.states()))], ["closed"], "no circuit opened");
    } finally {
      stop = true;
      await Promise.all(workers);
      await Promise.all(replicas.map((r) => r.server.close(1_000)));
    }
  });

  tests("a replica that refuses connections (down, restarting) costs no call, not even one that is not idempotent", async () => {
    const up = await startNamedReplica("up");
    const down = `http://127.0.0.1:${await freePort()}`; // nothing listens there
    try {
      const transport = grpcTransport(`${down},${up.server.url}`, { unaryFastPath });
      const client = clientOf(EchoService, transport, breaker());
      const ctx = backgroundContext({ log: silentLog });
      for (let i = 0; i < 10; i++) await client.increment(ctx, { by: 1 });
      assert.is(up.increments(), 10, "each increment ran once, on the replica that is up");
      const refusing = balancerOf(transport).replicaStates().find((r) => r.baseUrl === down)!;
      assert.is(refusing.up, false, "the refusing replica is out of the turns");
    } finally {
      await up.server.close(1_000);
    }
  });

  tests("a replica going out and coming back is logged once each way: warn with why, info with how, naming the dependency and the replica", async () => {
    const lines: Record<string, unknown>[] = [];
    const log = pino({ level: "info" }, { write: (line: string) => void lines.push(JSON.parse(line) as Record<string, unknown>) });
    const [up, draining] = await Promise.all([startNamedReplica("up"), startNamedReplica("draining")]);
    const refusedPort = await freePort(); // nothing listens there yet
    const refused = `http://127.0.0.1:${refusedPort}`;
    const target = [up.server.url, draining.server.url, refused].join(",");
    const back: NamedReplica[] = [];
    try {
      const client = createClient(EchoService, grpcTransport(target, { unaryFastPath, log }));
      const answeredBy = new Set<string>();
      const call = async () => answeredBy.add((await client.echo({ message: "" })).message);
      for (let i = 0; i < 3; i++) await call(); // round robin: one call each; the refused one goes on to "up"
      await draining.server.close(1_000); // no call in flight: its GOAWAY is what takes it out
      await until("the GOAWAY to be logged", () => (lines.some((l) => l.replica === draining.server.url) ? true : undefined));
      back.push(await startNamedReplica("draining-again", { port: draining.server.port }), await startNamedReplica("refused-again", { port: refusedPort }));
      await until("both replicas answering again", async () => {
        await call();
        return answeredBy.has("draining-again") && answeredBy.has("refused-again") ? true : undefined;
      });

      const about = (replica: string) => lines.filter((l) => l.replica === replica).map((l) => [l.level, l.reason ?? l.after, l.msg]);
      const out = "replica taken out of the turns; its health is checked again until it serves";
      const WARN = 40;
      const INFO = 30;
      assert.equal(about(draining.server.url), [
        [WARN, "GOAWAY: the replica is draining", out],
        [INFO, "health check SERVING", "replica back in the turns"],
      ]);
      assert.equal(about(refused), [
        [WARN, "call not sent (ECONNREFUSED)", out],
        [INFO, "health check SERVING", "replica back in the turns"],
      ]);
      assert.is(lines.length, 4, "nothing logged about the replica that stayed up, nothing twice");
      assert.ok(lines.every((l) => l.target === target), "every line names the dependency as configured");
      assert.ok(lines.filter((l) => l.level === INFO).every((l) => typeof l.out_ms === "number"), "how long it was out");
    } finally {
      await Promise.all([up, draining, ...back].map((r) => r.server.close(1_000)));
    }
  });

  tests("a side-effect-free call a slow replica holds past half its timeout is answered by another; a call with side effects is never sent twice", async () => {
    // Margins a loaded machine cannot eat: the fast replica has half the 5 s timeout (2.5 s) to answer, first or hedged;
    // the slow one cannot answer before that half (3 s > 2.5 s), so an increment sent twice would show, and it has 2 s
    // to spare within the timeout.
    const slow = await startNamedReplica("slow", { lagMs: 3_000 });
    const fast = await startNamedReplica("fast");
    try {
      const transport = grpcTransport(`${slow.server.url},${fast.server.url}`, { unaryFastPath });
      const client = createClient(EchoService, transport);
      const answers = await Promise.all(Array.from({ length: 6 }, () => client.echo({ message: "" }, { timeoutMs: 5_000 }).then((r) => r.message)));
      const sent = Object.fromEntries(balancerOf(transport).replicaStates().map((r) => [r.baseUrl === slow.server.url ? "slow" : "fast", r.calls]));
      assert.is(sent.slow, 3, "the turns sent half the calls to the slow replica");
      assert.is(sent.fast, 6, "those three were sent again, to the fast one");
      assert.equal(countBy(answers), { fast: 6 }, "every call was answered by the fast replica");
      await Promise.all(Array.from({ length: 4 }, () => client.increment({ by: 1 }, { timeoutMs: 5_000 })));
      assert.is(slow.increments() + fast.increments(), 4, "each increment ran once");
      assert.is(slow.increments(), 2, "the slow replica's increments were waited for, not sent again");
    } finally {
      await Promise.all([slow.server.close(5_000), fast.server.close(1_000)]);
    }
  });

  tests.run();
}

/** The replica of replicas.fixture.ts in a process of its own, on `port` (0: any); resolves once it listens. */
async function replicaProcess(name: string, port = 0): Promise<{ process: TestProcess; url: string }> {
  const child = startProcess("transport/replicas.fixture.ts", { REPLICA_NAME: name, REPLICA_PORT: String(port) });
  const listening = await until(`replica ${name} to listen`, () => {
    if (child.child.exitCode !== null) throw new Error(`replica ${name} exited: ${child.stderr()}`);
    return child.lines[0];
  });
  return { process: child, url: `http://127.0.0.1:${listening}` };
}

const hard = suite("balancing, a replica killed");

hard("SIGKILL mid-load: idempotent calls 0 failed, others only when in flight on it; no circuit opens; once back, it gets calls again", async () => {
  const killed = await replicaProcess("k");
  const replicas = await Promise.all(["a", "b"].map((n) => startNamedReplica(n)));
  const peers = [...replicas.map((r) => r.server.url), killed.url].join(",");
  const ctx = backgroundContext({ log: silentLog });
  const circuits = breaker();
  const clients = CLIENTS.map(({ unaryFastPath }) => clientOf(EchoService, grpcTransport(peers, { unaryFastPath }), circuits));
  const answeredBy: string[] = [];
  const failed: { method: string; error: unknown }[] = [];
  let stop = false;
  const loop = (method: string, call: () => Promise<unknown>) => async () => {
    while (!stop) await call().catch((error: unknown) => failed.push({ method, error }));
  };
  const workers = clients.flatMap((client) => [
    ...Array.from({ length: 3 }, () => loop("echo", () => client.echo(ctx, { message: "" }).then((r) => answeredBy.push(r.message)))),
    ...Array.from({ length: 3 }, () => loop("slow", () => client.slow(ctx, { delayMs: 50 }))),
    loop("increment", () => client.increment(ctx, { by: 1 })),
  ]).map((w) => w());
  try {
    await until("calls answered by the replica to kill", () => (answeredBy.filter((n) => n === "k").length > 20 ? true : undefined));
    killed.process.child.kill("SIGKILL");
    await killed.process.exited;
    const atKill = answeredBy.length;
    await until("300 more answers", () => (answeredBy.length > atKill + 300 ? true : undefined));
    assert.equal(failed.filter((f) => f.method !== "increment").map((f) => String(f.error)), [], "no idempotent call failed");
    // Each increment worker has one call in flight at a time: at most one per client was on the killed replica.
    assert.ok(failed.length <= clients.length, `at most the increments in flight on it failed: ${failed.map((f) => String(f.error)).join("; ")}`);
    for (const f of failed) {
      assert.is(asKitError(f.error).code, Code.Unavailable);
      assert.match(String(f.error), /ended during the call/);
    }
    assert.equal([...new Set(Object.values(circuits.states()))], ["closed"], "no circuit opened");
    console.log(`SIGKILL of one replica of three: ${answeredBy.length - atKill} echoes answered after it, 0 idempotent calls failed, ${failed.length} increment(s) in flight on it failed`);

    const back = await replicaProcess("k-again", Number(new URL(killed.url).port));
    try {
      await until("calls answered by the replica back", () => (answeredBy.includes("k-again") ? true : undefined));
    } finally {
      stop = true;
      await Promise.all(workers);
      await back.process.kill();
    }
  } finally {
    stop = true;
    await Promise.all(workers);
    await killed.process.kill();
    await Promise.all(replicas.map((r) => r.server.close(1_000)));
  }
});

hard.run();

const named = suite("balancing over a host name");

named("a host name with several addresses: each address is a replica; resolved again, a new address gets calls, one gone gets none", async () => {
  const a = await startNamedReplica("a", { host: "127.0.0.1" });
  const port = a.server.port;
  const b = await startNamedReplica("b", { host: "127.0.0.2", port });
  const c = await startNamedReplica("c", { host: "127.0.0.3", port });
  let addresses = ["127.0.0.1", "127.0.0.2"];
  const asked: string[] = [];
  const lookup = async (hostname: string) => {
    asked.push(hostname);
    if (hostname !== "echo.replicas.test") throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${hostname}`), { code: "ENOTFOUND" });
    return addresses;
  };
  try {
    for (const { unaryFastPath } of CLIENTS) {
      const client = createClient(EchoService, grpcTransport(`http://echo.replicas.test:${port}`, { unaryFastPath, lookup, resolveEveryMs: 100 }));
      const answers: string[] = [];
      for (let i = 0; i < 20; i++) answers.push((await client.echo({ message: "" })).message);
      assert.equal(countBy(answers), { a: 10, b: 10 });
      addresses = ["127.0.0.2", "127.0.0.3"];
      await until("the new address to get calls", async () => ((await client.echo({ message: "" })).message === "c" ? true : undefined));
      const after: string[] = [];
      for (let i = 0; i < 20; i++) after.push((await client.echo({ message: "" })).message);
      assert.equal(countBy(after), { b: 10, c: 10 });
      addresses = ["127.0.0.1", "127.0.0.2"];
    }
    assert.equal([...new Set(asked)], ["echo.replicas.test"]);
  } finally {
    await Promise.all([a, b, c].map((r) => r.server.close(1_000)));
  }
});

named.run();

