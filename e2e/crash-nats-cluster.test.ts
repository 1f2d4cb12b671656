// The crash test (crash.fixture.ts) on NATS JetStream: the services' bus on a
// 3-node cluster on loopback (transport/bus/nats-cluster.testing.ts; every
// service given all three nodes in NATS_URL, the events stream replicated 3×).
// Beside the service kills, the events stream's leader is killed with SIGKILL
// in turn: the kill waits for the fact that the two other nodes elected a new
// leader, then starts the killed node again on its store; the next kill waits
// until it caught up with the stream. The same ledger checks as on PostgreSQL.
// test-timeout-seconds: 600
// test-heavy
import { jetstreamManager, type JetStreamManager } from "@nats-io/jetstream";
import { connect, type NatsConnection } from "@nats-io/transport-node";
import { startNatsCluster, type NatsCluster } from "../transport/bus/nats-cluster.testing.js";
import { EVENTS_STREAM } from "../transport/bus/nats/subjects.js";
import { crashTest, type Victim } from "./crash.fixture.js";
import { startMarketplace } from "./marketplace.fixture.js";

let cluster: NatsCluster;
let nc: NatsConnection | undefined;
let jsm: JetStreamManager;
const leaders: string[] = [];

const seconds = (since: number) => ((Date.now() - since) / 1000).toFixed(1);

/** The events stream's leader: SIGKILL, a new leader elected by the two others, the node started again. */
const streamLeader: Victim = {
  name: "events stream leader",
  ready: async () => (await Promise.all(cluster.nodes.map((n) => cluster.isCaughtUp(n, EVENTS_STREAM)))).every(Boolean),
  kill: async () => {
    const leader = await cluster.streamLeader(EVENTS_STREAM);
    const killedAt = Date.now();
    await cluster.kill(leader);
    const elected = await cluster.streamLeader(EVENTS_STREAM, 60_000);
    const electedIn = seconds(killedAt);
    await cluster.restart(leader);
    leaders.push(`${leader.name} killed → ${elected.name} elected in ${electedIn} s, ${leader.name} back in ${seconds(killedAt)} s`);
    return `stream leader ${leader.name}`;
  },
};

crashTest({
  bus: "NATS JetStream (3 nodes, events stream replicated 3×)",
  bookings: Number(process.env.CRASH_NATS_BOOKINGS ?? 60),
  // Six kills: the stream's leader first and last (two elections), each service once between.
  minKills: 6,
  async start() {
    cluster = await startNatsCluster({ size: 3 });
    nc = await connect({ servers: cluster.urls, maxReconnectAttempts: -1 });
    jsm = await jetstreamManager(nc);
    const m = await startMarketplace({ SELLER_BOOKING_DEADLINE_MS: "120000", NATS_REPLICAS: "3" }, { bus: "nats", natsUrl: cluster.urls.join(",") });
    const replicas = (await jsm.streams.info(EVENTS_STREAM)).config.num_replicas;
    if (replicas !== 3) {
      await m.close();
      throw new Error(`the services made the events stream with ${replicas} replicas, not the 3 NATS_REPLICAS asks for`);
    }
    return m;
  },
  victims: [streamLeader],
  async describe() {
    const info = await jsm.streams.info(EVENTS_STREAM);
    return {
      events_stream: `${info.state.messages} messages, ${info.config.num_replicas} replicas, leader ${info.cluster?.leader} with ${info.cluster?.replicas?.map((r) => `${r.name}${r.current ? " current" : ` ${r.lag ?? "?"} behind`}`).join(", ")}`,
      stream_leader_kills: leaders.join("; "),
    };
  },
  async stop() {
    await nc?.close();
    await cluster?.stop();
  },
});
