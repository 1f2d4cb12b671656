// `make bench-transport`: what the unary gRPC fast path buys over
// connect-node, server side (transport/grpc-unary.ts) and client side
// (transport/grpc-unary-client.ts). One server process (this file with the
// argument "serve") runs the same wallet GetBalance and Echo endpoints with
// the full kit (the server middleware stack, serveService, startServer, the
// wallet authenticating a service token as services/wallet/main.ts does) on
// two ports: fast path on, and off. This process drives three modes with
// transport/client.ts grpcTransport (one HTTP/2 connection, a fixed number of
// calls in flight): "connect-node" (connect's client and server: before),
// "fast server" (connect's client, the fast-path server) and "fast both",
// alternating rounds A/B/C/C/B/A… so that drift hits all alike, and prints
// calls/s (with the spread over rounds), p50/p99 latency, the server's CPU
// time per call (process_cpu_seconds_total between the round's ends) and the
// client's (this process's).
//
//   BENCH_ROUNDS=4 BENCH_ROUND_SECONDS=5 BENCH_IN_FLIGHT=32 BENCH_PG_PORT=54341 make bench-transport
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { createClient, type Client } from "@connectrpc/connect";
import { pino } from "pino";
import pg from "pg";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { ensureEmbeddedPostgres } from "../platform/embedded-postgres.js";
import { testTokens } from "../services/identity/testing.js";
import { grpcTransport } from "../transport/client.js";
import { serveService } from "../transport/serve.js";
import { startServer } from "../transport/server.js";
import { drive, serverCpuSeconds, type Round } from "./closed-loop.js";
import { getBalanceCall, kitHandlers, seedWallets } from "./kit-handlers.js";

const ROOT = new URL("..", import.meta.url).pathname;
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54341);
const DB_NAME = "itinera_bench_transport";

/** The servers: the same endpoints with the unary fast path on and off. */
const SERVERS = ["fast path", "connect-node"] as const;
type ServerName = (typeof SERVERS)[number];
/** What is compared: before (connect-node both sides), the fast server alone, the fast server and client. */
const MODES = {
  "connect-node": { server: "connect-node", unaryFastPath: false },
  "fast server": { server: "fast path", unaryFastPath: false },
  "fast both": { server: "fast path", unaryFastPath: true },
} as const;
type Mode = keyof typeof MODES;
const MODE_NAMES = Object.keys(MODES) as Mode[];
interface Ports {
  ports: Record<ServerName, number>;
  token: string;
}

/** The server process: the same endpoints on two servers, fast path on and off. */
async function serve(databaseUrl: string) {
  const { log, registry, db, walletEndpoints: wallet, echoEndpoints } = await kitHandlers("bench-transport", databaseUrl);
  const tokens = await testTokens();
  const start = (unaryFastPath: boolean) =>
    startServer({
      port: 0,
      log,
      metrics: registry,
      unaryFastPath,
      routes: (router) => {
        serveService(router, WalletService, wallet, { log, authenticate: tokens.authenticate });
        serveService(router, EchoService, echoEndpoints, { log });
      },
    });
  const servers: Record<ServerName, Awaited<ReturnType<typeof start>>> = { "fast path": await start(true), "connect-node": await start(false) };
  const message: Ports = {
    ports: { "fast path": servers["fast path"].port, "connect-node": servers["connect-node"].port },
    token: (await tokens.service("operator", 3600)).token!,
  };
  process.send!(message);
  process.on("SIGTERM", async () => {
    await Promise.all(Object.values(servers).map((s) => s.close(1000)));
    await db.close();
    process.exit(0);
  });
}

async function main() {
  const pgServer = await ensureEmbeddedPostgres({ dataDir: `${ROOT}.data/pg-bench-transport`, port: PG_PORT, log: pino({ level: "warn" }) });
  const admin = new pg.Client(pgServer.url);
  await admin.connect();
  await admin.query(`drop database if exists ${DB_NAME} with (force)`);
  await admin.query(`create database ${DB_NAME}`);
  await admin.end();

  const server = spawn(process.execPath, ["--import", "tsx", fileURLToPath(import.meta.url), "serve"], {
    env: { ...process.env, DATABASE_URL: pgServer.url.replace(/\/postgres$/, `/${DB_NAME}`) },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const { ports, token } = await new Promise<Ports>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    server.once("message", (m) => resolve(m as Ports));
  });

  try {
    const url = (s: ServerName) => `http://127.0.0.1:${ports[s]}`;
    const transport = (m: Mode) => grpcTransport(url(MODES[m].server), { unaryFastPath: MODES[m].unaryFastPath });
    const headers = { authorization: `Bearer ${token}` }; // wallets are read by the customer or a named service only
    const seeder = createClient(WalletService, grpcTransport(url("connect-node")));
    await seedWallets(seeder, headers);
    const cpu = () => serverCpuSeconds(url("connect-node"));
    console.log(
      `transport: ${ROUNDS} rounds of ${ROUND_SECONDS} s per mode, alternating, ${IN_FLIGHT} calls in flight, gRPC over one HTTP/2 connection (transport/client.ts grpcTransport)\n`,
    );
    for (const [name, callOf] of [
      ["wallet GetBalance (full kit, service token, PostgreSQL read)", (m: Mode) => getBalanceCall(createClient(WalletService, transport(m)), headers)],
      ["echo Echo (full kit, no I/O)", (m: Mode) => echoCall(createClient(EchoService, transport(m)))],
    ] as const) {
      const calls = Object.fromEntries(MODE_NAMES.map((m) => [m, callOf(m)])) as Record<Mode, () => Promise<unknown>>;
      for (const m of MODE_NAMES) await drive(calls[m], 1, IN_FLIGHT, cpu); // warm-up: JIT, pools, connections
      const results = Object.fromEntries(MODE_NAMES.map((m) => [m, [] as Round[]])) as Record<Mode, Round[]>;
      for (let r = 0; r < ROUNDS; r++) {
        for (const m of r % 2 === 0 ? MODE_NAMES : [...MODE_NAMES].reverse()) results[m].push(await drive(calls[m], ROUND_SECONDS, IN_FLIGHT, cpu));
      }
      report(name, results);
    }
  } finally {
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    await pgServer.stop();
  }
}


function echoCall(client: Client<typeof EchoService>) {
  return () => client.echo({ message: "a message of a realistic size for a small RPC" });
}



function summary(rounds: Round[]) {
  const calls = rounds.reduce((n, r) => n + r.calls, 0);
  const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
  const cpu = rounds.reduce((n, r) => n + r.cpuSeconds, 0);
  const clientCpu = rounds.reduce((n, r) => n + r.clientCpuSeconds, 0);
  const lat = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
  const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
  const rates = rounds.map((r) => r.calls / r.seconds);
  return {
    rate: calls / seconds,
    minRate: Math.min(...rates),
    maxRate: Math.max(...rates),
    errors: rounds.reduce((n, r) => n + r.errors, 0),
    p50: q(0.5),
    p99: q(0.99),
    cpuUsPerCall: (cpu / calls) * 1e6,
    clientCpuUsPerCall: (clientCpu / calls) * 1e6,
  };
}

function report(name: string, results: Record<Mode, Round[]>) {
  const s = Object.fromEntries(MODE_NAMES.map((m) => [m, summary(results[m])])) as Record<Mode, ReturnType<typeof summary>>;
  console.log(name);
  for (const m of MODE_NAMES) {
    const r = s[m];
    console.log(
      `  ${m.padEnd(12)} ${r.rate.toFixed(0).padStart(6)} calls/s (rounds ${r.minRate.toFixed(0)}–${r.maxRate.toFixed(0)})   p50 ${r.p50.toFixed(2).padStart(6)} ms   p99 ${r.p99.toFixed(2).padStart(6)} ms   server CPU ${r.cpuUsPerCall.toFixed(0).padStart(4)} µs/call   client CPU ${r.clientCpuUsPerCall.toFixed(0).padStart(4)} µs/call   errors ${r.errors}`,
    );
  }
  const before = s["connect-node"];
  for (const m of ["fast server", "fast both"] as const) {
    const after = s[m];
    console.log(
      `  ${m} vs connect-node: ×${(after.rate / before.rate).toFixed(2)} calls/s, server CPU ${(100 * (after.cpuUsPerCall / before.cpuUsPerCall - 1)).toFixed(0)} %, client CPU ${(100 * (after.clientCpuUsPerCall / before.clientCpuUsPerCall - 1)).toFixed(0)} %`,
    );
  }
  console.log();
}

if (process.argv[2] === "serve") {
  const databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) throw new Error("bench/transport.ts serve needs DATABASE_URL (the benchmark sets it)");
  await serve(databaseUrl);
} else {
  await main();
}
