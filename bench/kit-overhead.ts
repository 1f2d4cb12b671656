// `make bench`: what the kit costs. One server process (bench/kit-server.ts)
// serves the same wallet GetBalance handler through the full kit (middleware
// stack + serveService + startServer) and bare on connect-node, and between
// the two the middleware stack alone on the bare server ("stack": what the
// endpoint layer costs, apart from the kit's transport); this process drives
// each with the same gRPC client (one HTTP/2 connection, a fixed number of
// calls in flight), rotating the order every round so that drift hits all alike.
// Each call carries what a service calling another sends (a request id and a
// traceparent): most calls a service serves come from another service.
// Reports calls/s, latency and the server's CPU time per call; the same for
// Echo, which does no I/O and so shows the kit's cost alone. Each figure
// comes with its spread over the rounds: on a busy machine one round can be
// far off. BENCH_ROUNDS, BENCH_ROUND_SECONDS, BENCH_IN_FLIGHT, BENCH_PG_PORT.
import { spawn } from "node:child_process";
import { createClient, type Client } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { pino } from "pino";
import pg from "pg";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { ensureEmbeddedPostgres } from "../platform/embedded-postgres.js";
import { drive, serverCpuSeconds, type Round } from "./closed-loop.js";
import { getBalanceCall, seedWallets } from "./kit-handlers.js";

const ROOT = new URL("..", import.meta.url).pathname;
const ROUND_SECONDS = Number(process.env.BENCH_ROUND_SECONDS ?? 5);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 32);
const DB_NAME = "itinera_bench";
/** The bench's own PostgreSQL; another bench running at the same time picks another port. */
const PG_PORT = Number(process.env.BENCH_PG_PORT ?? 54329);

const MODES = ["kit", "stack", "raw"] as const;
type Mode = (typeof MODES)[number];

async function main() {
  const pgServer = await ensureEmbeddedPostgres({ dataDir: `${ROOT}.data/pg`, port: PG_PORT, log: pino({ level: "warn" }) });
  const admin = new pg.Client(pgServer.url);
  await admin.connect();
  await admin.query(`drop database if exists ${DB_NAME} with (force)`);
  await admin.query(`create database ${DB_NAME}`);
  await admin.end();
  const databaseUrl = pgServer.url.replace(/\/postgres$/, `/${DB_NAME}`);

  const server = spawn(process.execPath, ["--import", "tsx", `${ROOT}bench/kit-server.ts`], {
    env: { ...process.env, DATABASE_URL: databaseUrl },
    stdio: ["ignore", "ignore", "inherit", "ipc"],
  });
  const ports = await new Promise<Record<Mode, number> & { token: string }>((resolve, reject) => {
    server.once("exit", (code) => reject(new Error(`bench server exited with ${code}`)));
    server.once("message", (ports) => resolve(ports as Record<Mode, number> & { token: string }));
  });

  try {
    const url = (m: Mode) => `http://127.0.0.1:${ports[m]}`;
    const wallet = (m: Mode) => createClient(WalletService, createGrpcTransport({ baseUrl: url(m) }));
    const echo = (m: Mode) => createClient(EchoService, createGrpcTransport({ baseUrl: url(m) }));
    const seeder = wallet("kit");
    await seedWallets(seeder, { authorization: `Bearer ${ports.token}` }); // money moves only with a service token
    const cpu = () => serverCpuSeconds(url("kit"));
    console.log(`kit overhead: ${ROUNDS} rounds of ${ROUND_SECONDS} s per mode, ${IN_FLIGHT} calls in flight, gRPC over one HTTP/2 connection\n`);
    for (const [name, call] of [
      ["wallet GetBalance (PostgreSQL read)", (m: Mode) => getBalanceCall(wallet(m), asCaller({ authorization: `Bearer ${ports.token}` }))],
      ["echo Echo (no I/O)", (m: Mode) => echoCall(echo(m))],
    ] as const) {
      const calls = { kit: call("kit"), stack: call("stack"), raw: call("raw") };
      for (const m of MODES) await drive(calls[m], 1, IN_FLIGHT, cpu); // warm-up: JIT, pools, connections
      const results: Record<Mode, Round[]> = { kit: [], stack: [], raw: [] };
      for (let r = 0; r < ROUNDS; r++) {
        const order = r % 2 === 0 ? MODES : [...MODES].reverse();
        for (const m of order) results[m].push(await drive(calls[m], ROUND_SECONDS, IN_FLIGHT, cpu));
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
  return () => client.echo({ message: "a message of a realistic size for a small RPC" }, { headers: asCaller({}) });
}

/**
 * What a service calling another sends with each call (transport/context.ts
 * callOptionsOf): its request's id and a traceparent, a trace of its own per call.
 */
function asCaller(headers: Record<string, string>): Record<string, string> {
  const traceId = crypto.randomUUID().replaceAll("-", "");
  return { ...headers, "x-request-id": `bench-${traceId.slice(0, 12)}`, traceparent: `00-${traceId}-00f067aa0ba902b7-01` };
}



function report(name: string, results: Record<Mode, Round[]>) {
  const summary = (rounds: Round[]) => {
    const calls = rounds.reduce((n, r) => n + r.calls, 0);
    const seconds = rounds.reduce((n, r) => n + r.seconds, 0);
    const cpu = rounds.reduce((n, r) => n + r.cpuSeconds, 0);
    const lat = rounds.flatMap((r) => r.latenciesMs).sort((a, b) => a - b);
    const q = (p: number) => lat[Math.min(lat.length - 1, Math.floor(p * lat.length))] ?? NaN;
    return {
      rate: calls / seconds,
      errors: rounds.reduce((n, r) => n + r.errors, 0),
      p50: q(0.5),
      p99: q(0.99),
      cpuUsPerCall: (cpu / calls) * 1e6,
    };
  };
  type Summary = ReturnType<typeof summary>;
  const all = Object.fromEntries(MODES.map((m) => [m, summary(results[m])])) as Record<Mode, Summary>;
  // Round r of every mode ran within seconds of the others: compared round by round, drift matters least.
  const perRound = results.raw.map((_, r) => Object.fromEntries(MODES.map((m) => [m, summary([results[m][r]!])])) as Record<Mode, Summary>);
  const spread = (xs: number[], digits: number) => `${Math.min(...xs).toFixed(digits)}…${Math.max(...xs).toFixed(digits)}`;
  const cost = (a: Summary, b: Summary) => 100 * (1 - a.rate / b.rate);
  const row = (m: Mode) => {
    const s = all[m];
    return `  ${m.padEnd(5)} ${s.rate.toFixed(0).padStart(6)} calls/s (rounds ${spread(perRound.map((x) => x[m].rate), 0)})   p50 ${s.p50.toFixed(2).padStart(6)} ms   p99 ${s.p99.toFixed(2).padStart(6)} ms   server CPU ${s.cpuUsPerCall.toFixed(0).padStart(4)} µs/call (rounds ${spread(perRound.map((x) => x[m].cpuUsPerCall), 0)})   errors ${s.errors}`;
  };
  const share = (label: string, a: Mode, b: Mode) =>
    `  ${label} ${cost(all[a], all[b]).toFixed(1)} % of throughput (rounds ${spread(perRound.map((x) => cost(x[a], x[b])), 1)}) and ${(all[a].cpuUsPerCall - all[b].cpuUsPerCall).toFixed(0)} µs of server CPU per call (rounds ${spread(perRound.map((x) => x[a].cpuUsPerCall - x[b].cpuUsPerCall), 0)})`;
  console.log(name);
  for (const m of MODES) console.log(row(m));
  console.log(share("the kit costs          ", "kit", "raw"));
  console.log(share("  its endpoint stack   ", "stack", "raw"));
  console.log(share("  its transport        ", "kit", "stack"));
  console.log("");
}

await main();
