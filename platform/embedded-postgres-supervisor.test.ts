// The supervisor's embedded PostgreSQL, on its own data directory and free
// port: killed with SIGKILL while a client is mid-query (its backend holds
// the shared memory a restart needs), it is started again and answers, with
// what was committed before the kill; the supervisor says so.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { superviseEmbeddedPostgres } from "./embedded-postgres-supervisor.js";
import { freePort, until } from "./processes.testing.js";

const log = pino({ level: "silent" });

async function query(url: string, sql: string): Promise<pg.QueryResult | undefined> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 2000 });
  client.on("error", () => {});
  try {
    await client.connect();
    return await client.query(sql);
  } catch {
    return undefined;
  } finally {
    await client.end().catch(() => {});
  }
}

test("a postmaster killed with SIGKILL is restarted, keeps its committed data, and the supervisor says so", async () => {
  const dataDir = await mkdtemp(join(tmpdir(), "itinera-pg-supervised-"));
  const said: string[] = [];
  const server = await superviseEmbeddedPostgres({ dataDir: join(dataDir, "pg"), port: await freePort(), say: (l) => said.push(l), log });
  try {
    await query(server.url, "create table kept (n int); insert into kept values (42)");
    for (const round of [1, 2]) {
      const before = server.pid()!;
      // A backend busy when its postmaster dies.
      const busy = new pg.Client({ connectionString: server.url });
      busy.on("error", () => {});
      await busy.connect();
      const sleeping = busy.query("select pg_sleep(60)").catch(() => undefined);
      await server.kill("SIGKILL");
      await until(
        `PostgreSQL answering again after kill ${round}`,
        async () => ((await query(server.url, "select n from kept"))?.rows[0]?.n === 42 ? true : undefined),
        60_000,
      );
      await sleeping;
      await busy.end().catch(() => {});
      assert.is.not(server.pid(), undefined);
      assert.is.not(server.pid(), before, "a new postmaster");
      assert.is(server.restarts(), round);
    }
    console.log(said.join("\n"));
    assert.is(said.filter((l) => /^PostgreSQL died \(SIGKILL\); restarting in \d+ ms$/.test(l)).length, 2, said.join("\n"));
    assert.is(said.filter((l) => /^PostgreSQL is back after \d+\.\d s$/.test(l)).length, 2, said.join("\n"));
  } finally {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  }
  assert.is(await query(server.url, "select 1"), undefined, "stopped for good: nothing restarts it after stop()");
});

test("a server another process started is left to that process", async () => {
  const url = new URL(process.env.TEST_DATABASE_URL!);
  const server = await superviseEmbeddedPostgres({ dataDir: "/nonexistent", port: Number(url.port), say: () => {}, log });
  assert.is(server.pid(), undefined);
  try {
    await server.kill("SIGKILL");
    assert.unreachable("kill must refuse a server this process did not start");
  } catch (e) {
    assert.match((e as Error).message, /started by another process/);
  }
  await server.stop();
  assert.ok(await query(process.env.TEST_DATABASE_URL!, "select 1"), "the other process's server still answers");
});

test.run();
