// `make start`: the whole marketplace on this machine (scripts/system.ts),
// until Ctrl-C.
import { join } from "node:path";
import { startSystem } from "./system.js";

const ROOT = new URL("..", import.meta.url).pathname;
const say = (line: string) => process.stdout.write(`[itinera] ${line}\n`);

async function main() {
  const started = Date.now();
  const system = await startSystem({
    env: process.env,
    dataDir: join(ROOT, ".data", "pg"),
    pgPort: Number(process.env.PG_PORT ?? 54329),
    say,
    stdio: "inherit",
  });
  let stopping = false;
  const shutdown = async () => {
    if (stopping) return;
    stopping = true;
    say("stopping");
    await system.stop();
    say("stopped");
    process.exit(0);
  };
  process.on("SIGINT", () => void shutdown());
  process.on("SIGTERM", () => void shutdown());

  say(`ready in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  for (const s of system.specs) say(`${s.name.padEnd(9)} ${system.url(s.name)}`);
  say("services speak Connect, gRPC and gRPC-Web on their port, with /healthz /readyz /metrics");
  say(
    `try: npx buf curl --http2-prior-knowledge --protocol grpc --reflect ${system.url("wallet")}/itinera.wallet.v1.WalletService/GetBalance -d '{"customer_id":"demo","currency":"EUR"}'`,
  );
  say("Ctrl-C stops everything");
}

main().catch((e: unknown) => {
  say(`failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
