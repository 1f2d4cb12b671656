// Test support: a JetStream cluster of real `nats-server -js` processes on
// loopback, for tests that kill a node under load (the crash test on NATS).
// Each node has its own config file and store directory, a server_name, the
// same cluster name and routes to every node; free ports for clients, routes
// and monitoring. What the tests wait on are facts the nodes' monitoring
// endpoints report (/routez, /jsz): the routes are up, JetStream has a meta
// leader every node agrees on, a stream's leader, a node caught up with it.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { natsServerBinary } from "../../platform/nats-supervisor.js";
import { freePort, until } from "../../platform/processes.testing.js";

const CLUSTER_NAME = "itinera-test";

export interface ClusterNode {
  /** server_name, n1 … nN. */
  name: string;
  /** nats://127.0.0.1:port, where clients connect. */
  url: string;
  /** http://127.0.0.1:port, its monitoring endpoint. */
  monitorUrl: string;
  /** Its config file, store directory and log file live here. */
  dir: string;
  /** The running process's pid; undefined while killed. */
  pid(): number | undefined;
}

export interface NatsCluster {
  /** Every node's client URL (a client given all of them fails over). */
  urls: string[];
  nodes: ClusterNode[];
  /** The node that leads `stream` now, as the live nodes agree (waits for a leader while there is none). */
  streamLeader(stream: string, timeoutMs?: number): Promise<ClusterNode>;
  /** SIGKILL; resolves once the process is gone. */
  kill(node: ClusterNode): Promise<void>;
  /** Starts a killed node again on its ports and store directory; resolves once it routes to every live node and they agree on a meta leader. */
  restart(node: ClusterNode): Promise<void>;
  /** Waits until `node` holds every message of `stream` the leader holds and the leader counts it current. */
  caughtUp(node: ClusterNode, stream: string, timeoutMs?: number): Promise<void>;
  /** One look at the same fact (false while `node` is down or the stream has no leader). */
  isCaughtUp(node: ClusterNode, stream: string): Promise<boolean>;
  stop(): Promise<void>;
}

interface StreamDetail {
  name: string;
  cluster?: { leader?: string; replicas?: { name: string; current: boolean }[] };
  state: { messages: number; last_seq: number };
}

interface Jsz {
  meta_cluster?: { leader?: string; cluster_size?: number };
  account_details?: { stream_detail?: StreamDetail[] }[];
}

interface NodeState extends ClusterNode {
  config: string;
  child?: ChildProcess;
  exited?: Promise<void>;
}

const running = new Set<ChildProcess>();
process.on("exit", () => running.forEach((c) => c.kill("SIGKILL"))); // whatever happened to the test, no node is left running

/** What a node's monitoring endpoint answers; undefined from a node that is down or dies while answering. */
async function monitor<T>(node: ClusterNode, path: string): Promise<T | undefined> {
  try {
    const res = await fetch(`${node.monitorUrl}${path}`, { signal: AbortSignal.timeout(2000) });
    return res.ok ? ((await res.json()) as T) : undefined;
  } catch {
    return undefined;
  }
}

function streamOn(jsz: Jsz | undefined, stream: string): StreamDetail | undefined {
  return jsz?.account_details?.flatMap((a) => a.stream_detail ?? []).find((s) => s.name === stream);
}

export async function startNatsCluster(opts: { size?: number; timeoutMs?: number } = {}): Promise<NatsCluster> {
  const size = opts.size ?? 3;
  const timeoutMs = opts.timeoutMs ?? 30_000;
  const root = await mkdtemp(join(tmpdir(), "itinera-nats-cluster-"));
  const ports = await Promise.all(Array.from({ length: size }, async () => ({ client: await freePort(), route: await freePort(), monitor: await freePort() })));
  const routes = ports.map((p) => `nats-route://127.0.0.1:${p.route}`).join(", ");
  const nodes: NodeState[] = await Promise.all(
    ports.map(async (p, i) => {
      const name = `n${i + 1}`;
      const dir = join(root, name);
      await mkdir(join(dir, "store"), { recursive: true });
      const config = join(dir, "nats.conf");
      await writeFile(
        config,
        [
          `server_name: ${name}`,
          `listen: 127.0.0.1:${p.client}`,
          `http: 127.0.0.1:${p.monitor}`,
          `log_file: "${join(dir, "nats.log")}"`,
          `jetstream { store_dir: "${join(dir, "store")}" }`,
          `cluster { name: ${CLUSTER_NAME}, listen: 127.0.0.1:${p.route}, routes: [${routes}] }`,
          "",
        ].join("\n"),
      );
      const node: NodeState = { name, url: `nats://127.0.0.1:${p.client}`, monitorUrl: `http://127.0.0.1:${p.monitor}`, dir, config, pid: () => node.child?.pid };
      return node;
    }),
  );

  let spawnError: Error | undefined;
  const launch = (node: NodeState) => {
    const child = spawn(natsServerBinary(), ["-c", node.config], { stdio: "ignore" });
    running.add(child);
    node.child = child;
    node.exited = new Promise((resolve) => {
      const gone = () => {
        running.delete(child);
        if (node.child === child) node.child = undefined;
        resolve();
      };
      child.once("exit", gone);
      child.once("error", (e) => {
        spawnError = new Error(`could not start nats-server (run \`make nats-server\` to install it): ${e.message}`);
        gone();
      });
    });
  };
  const live = () => nodes.filter((n) => n.child !== undefined);
  const logs = () => `(node logs under ${root})`;

  /** Every live node routes to every other live node, and they all name the same JetStream meta leader. */
  const formed = () =>
    until(
      `a JetStream cluster of ${live().length} live nodes with a meta leader ${logs()}`,
      async () => {
        if (spawnError) throw spawnError;
        const up = live();
        const views = await Promise.all(
          up.map(async (n) => ({ routes: (await monitor<{ num_routes: number }>(n, "/routez"))?.num_routes, jsz: await monitor<Jsz>(n, "/jsz") })),
        );
        const leaders = new Set(views.map((v) => v.jsz?.meta_cluster?.leader ?? ""));
        const routed = views.every((v) => v.routes === up.length - 1);
        return routed && leaders.size === 1 && !leaders.has("") ? true : undefined;
      },
      timeoutMs,
    );

  nodes.forEach(launch);
  try {
    await formed();
  } catch (e) {
    await Promise.all(nodes.map((n) => killNode(n)));
    throw e;
  }

  async function killNode(node: NodeState) {
    if (!node.child) return;
    node.child.kill("SIGKILL");
    await node.exited;
  }

  const jsz = (n: ClusterNode) => monitor<Jsz>(n, "/jsz?accounts=true&streams=true");

  const streamLeader = (stream: string, leaderTimeoutMs = timeoutMs) =>
    until(
      `a leader of stream ${stream} the live nodes agree on ${logs()}`,
      async () => {
        const up = live();
        const views = await Promise.all(up.map(async (n) => streamOn(await jsz(n), stream)?.cluster?.leader ?? ""));
        const leader = up.find((n) => n.name === views[0]);
        return leader && views.every((v) => v === leader.name) ? (leader as ClusterNode) : undefined;
      },
      leaderTimeoutMs,
    );

  /**
   * One look: `node` runs, and is the stream's leader, or the leader counts it current and it holds the last
   * message the leader held just before (read after the leader, so that messages still flowing do not hide it).
   */
  const isCaughtUp = async (node: ClusterNode, stream: string) => {
    if (!(node as NodeState).child) return false;
    const views = await Promise.all(live().map(async (n) => ({ n, s: streamOn(await jsz(n), stream) })));
    const leader = views.find((v) => v.s?.cluster?.leader === v.n.name);
    if (!leader?.s) return false;
    if (leader.n === node) return true;
    if (leader.s.cluster?.replicas?.find((r) => r.name === node.name)?.current !== true) return false;
    const atNode = streamOn(await jsz(node), stream);
    return atNode !== undefined && atNode.state.last_seq >= leader.s.state.last_seq;
  };

  return {
    urls: nodes.map((n) => n.url),
    nodes,
    streamLeader,
    kill: (node) => killNode(node as NodeState),
    async restart(node) {
      const n = node as NodeState;
      if (n.child) throw new Error(`${n.name} is running: kill it before restarting it`);
      launch(n);
      await formed();
    },
    isCaughtUp,
    caughtUp: (node, stream, caughtUpTimeoutMs = timeoutMs) =>
      until(`${node.name} caught up with the leader of stream ${stream} ${logs()}`, () => isCaughtUp(node, stream).then((yes) => yes || undefined), caughtUpTimeoutMs).then(() => {}),
    async stop() {
      await Promise.all(nodes.map(killNode));
      await rm(root, { recursive: true, force: true });
    },
  };
}
