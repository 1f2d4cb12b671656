// The 3-node JetStream cluster fixture itself, against real nats-server
// processes: a stream replicated three times survives the SIGKILL of its
// leader (another node is elected, a message published before the kill is
// still read, publishing goes on), and the killed node, started again, catches
// up with what was published while it was down.
// test-timeout-seconds: 120
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../../platform/processes.testing.js";
import { startNatsCluster, type NatsCluster } from "./nats-cluster.testing.js";

const STREAM = "CLUSTER_FIXTURE";

let cluster: NatsCluster;
let nc: NatsConnection;

test.before(async () => {
  cluster = await startNatsCluster({ size: 3 });
  nc = await connect({ servers: cluster.urls, reconnectTimeWait: 100, maxReconnectAttempts: -1 });
});

test.after(async () => {
  await nc?.close();
  await cluster?.stop();
});

test("three nodes on loopback, each with its own name, ports and store", () => {
  assert.equal(
    cluster.nodes.map((n) => n.name),
    ["n1", "n2", "n3"],
  );
  assert.is(new Set(cluster.urls).size, 3);
  assert.is(new Set(cluster.nodes.map((n) => n.dir)).size, 3);
  assert.ok(cluster.nodes.every((n) => n.pid() !== undefined));
});

test("the stream's leader killed: a new leader, the message published before still there, the node restarted caught up", async () => {
  const jsm = await jetstreamManager(nc);
  const info = await jsm.streams.add({ name: STREAM, subjects: ["fixture.>"], num_replicas: 3 });
  assert.is(info.config.num_replicas, 3);
  const js = jetstream(nc);
  const before = await js.publish("fixture.a", "before the kill", { msgID: "before" });

  const leader = await cluster.streamLeader(STREAM);
  for (const n of cluster.nodes) await cluster.caughtUp(n, STREAM);
  await cluster.kill(leader);
  assert.is(leader.pid(), undefined);

  const elected = await cluster.streamLeader(STREAM);
  assert.is.not(elected.name, leader.name, "the killed node still counted as the leader");

  // The client reconnects to a live node (and the meta leader may be re-elected too): until then a request times
  // out, so each is asked again until it is answered. The message is still there, and the stream takes more.
  const answered = <T>(what: string, request: () => Promise<T>) => until(what, () => request().catch(() => undefined), 30_000);
  const stored = await answered("the message published before the kill", () => jsm.streams.getMessage(STREAM, { seq: before.seq }));
  assert.is(stored?.string(), "before the kill");
  const after = await answered("a publish to the new leader", () => js.publish("fixture.a", "while the old leader is down", { msgID: "after" }));
  assert.is(after.seq, before.seq + 1);
  // Its message id was seen: the new leader keeps the dedup window of the old one.
  assert.ok((await answered("a second publish of the first message", () => js.publish("fixture.a", "before the kill", { msgID: "before" }))).duplicate);

  await cluster.restart(leader);
  assert.ok(leader.pid() !== undefined);
  // Its own monitoring endpoint says it holds both messages, and the leader counts it current.
  await cluster.caughtUp(leader, STREAM);
});

test.run();
