// The supervisor's local JetStream server, on its own store directory and
// free port: killed with SIGKILL, it is started again on the same store and
// answers with what JetStream had stored before the kill; the supervisor says
// so, and after stop() nothing restarts it.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { jetstream, jetstreamManager } from "@nats-io/jetstream";
import { connect } from "@nats-io/transport-node";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { natsInfo, superviseNats } from "./nats-supervisor.js";
import { freePort, until } from "./processes.testing.js";

/** Messages the stream holds, read on a connection of its own; undefined while the server does not answer. */
async function storedMessages(url: string, stream: string): Promise<number | undefined> {
  const nc = await connect({ servers: url, reconnect: false, timeout: 2000 }).catch(() => undefined);
  if (!nc) return undefined;
  try {
    const jsm = await jetstreamManager(nc);
    return (await jsm.streams.info(stream)).state.messages;
  } catch {
    return undefined;
  } finally {
    await nc.close();
  }
}

test("a nats-server killed with SIGKILL is restarted on its store, keeps its streams' messages, and the supervisor says so", async () => {
  const dir = await mkdtemp(join(tmpdir(), "itinera-nats-supervised-"));
  const said: string[] = [];
  const port = await freePort();
  const server = await superviseNats({ storeDir: join(dir, "nats"), port, say: (l) => said.push(l) });
  try {
    const nc = await connect({ servers: server.url });
    const jsm = await jetstreamManager(nc);
    await jsm.streams.add({ name: "kept", subjects: ["kept.>"] });
    await jetstream(nc).publish("kept.one", "stored before the kill");
    await nc.close();

    for (const round of [1, 2]) {
      const before = server.pid()!;
      await server.kill("SIGKILL");
      await until(`NATS restarted after kill ${round}`, () => (server.restarts() === round ? true : undefined), 60_000);
      assert.is(await storedMessages(server.url, "kept"), 1, "the stream's message, kept in the store");
      assert.is.not(server.pid(), undefined);
      assert.is.not(server.pid(), before, "a new server process");
      assert.is(server.restarts(), round);
    }
    assert.is(said.filter((l) => /^NATS died \(SIGKILL\); restarting in \d+ ms$/.test(l)).length, 2, said.join("\n"));
    assert.is(said.filter((l) => /^NATS is back after \d+\.\d s$/.test(l)).length, 2, said.join("\n"));
  } finally {
    await server.stop();
    await rm(dir, { recursive: true, force: true });
  }
  assert.is(await natsInfo(port), undefined, "stopped for good: nothing restarts it after stop()");
});

test("a server another process started is left to that process", async () => {
  const dir = await mkdtemp(join(tmpdir(), "itinera-nats-other-"));
  const port = await freePort();
  const owner = await superviseNats({ storeDir: join(dir, "nats"), port, say: () => {} });
  const said: string[] = [];
  try {
    const other = await superviseNats({ storeDir: "/nonexistent", port, say: (l) => said.push(l) });
    assert.is(other.pid(), undefined);
    assert.match(said.join("\n"), /already running/);
    try {
      await other.kill("SIGKILL");
      assert.unreachable("kill must refuse a server this process did not start");
    } catch (e) {
      assert.match((e as Error).message, /started by another process/);
    }
    await other.stop();
    assert.ok((await natsInfo(port))?.jetstream, "the owner's server still answers");
  } finally {
    await owner.stop();
    await rm(dir, { recursive: true, force: true });
  }
});

test.run();
