// The server side of `make bench` (bench/kit-overhead.ts starts it as its own
// process). It serves the same wallet implementation twice, on two ports:
// - "kit": endpointsOf + the full server middleware stack + serveService +
//   startServer, exactly as services/wallet/main.ts wires it;
// - "raw": the same handler functions registered directly on a connect-node
//   router on a bare HTTP/2 server, with no kit at all.
// Echo (no I/O) is served the same two ways, to see the kit's cost alone.
// The kit wallet authenticates as main.ts does, with testTokens standing in
// for identity: GetBalance (the call measured) and Credit (to seed) take the
// operator's service token, so the kit's cost includes verifying it; the raw
// handler gets the same principal without a token. Sends {"kit": port, "raw":
// port, "token": the operator's token} to its parent (IPC) when both listen.
import http2 from "node:http2";
import { fileURLToPath } from "node:url";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { collectDefaultMetrics, Registry } from "prom-client";
import { backgroundContext } from "../endpoints/context.js";
import { endpointsOf, type Service } from "../endpoints/service.js";
import { serverStack } from "../endpoints/stack.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { openDatabase } from "../platform/db.js";
import { createLogger } from "../platform/logger.js";
import { createTracing } from "../platform/tracing.js";
import { serveService } from "../transport/serve.js";
import { startServer } from "../transport/server.js";
import { testTokens } from "../services/identity/testing.js";
import { walletService } from "../services/wallet/service.js";
import { WalletStore } from "../services/wallet/store.js";
import { walletValidators } from "../services/wallet/validators.js";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("bench/kit-server.ts needs DATABASE_URL (bench/kit-overhead.ts sets it)");

// Logs go where a real service's go: JSON lines on stdout, which the benchmark sends to /dev/null.
const log = createLogger({ service: "bench" });
const tracing = createTracing({ serviceName: "bench" });
const registry = new Registry();
// process_cpu_seconds_total tells the benchmark how much CPU the server spent per call.
collectDefaultMetrics({ register: registry });

const db = await openDatabase({
  url: databaseUrl,
  dataDir: "unused",
  embeddedPort: 0,
  schema: "wallet",
  migrationsDir: fileURLToPath(new URL("../services/wallet/migrations", import.meta.url)),
  log,
  pool: { min: 4, max: 10 },
});
const wallet = walletService({ store: new WalletStore(db.knex) });
const echo: Service<typeof EchoService> = {
  echo: async (_ctx, req) => ({ message: req.message }),
  increment: async (_ctx, req) => ({ value: BigInt(req.by) }),
  countdown: async function* () {},
  slow: async () => ({}),
};

const stack = serverStack({ registry, tracer: tracing.tracer, validators: walletValidators() });
const tokens = await testTokens();
const kit = await startServer({
  port: 0,
  log,
  metrics: registry,
  routes: (router) => {
    serveService(router, WalletService, endpointsOf(WalletService, wallet, ...stack), { log, authenticate: tokens.authenticate });
    serveService(router, EchoService, endpointsOf(EchoService, echo, ...serverStack({ registry, tracer: tracing.tracer })), { log });
  },
});

// The bare baseline: connect-node's adapter on node:http2, handlers called with a minimal context.
const rawContext = () => backgroundContext({ log, principal: { kind: "service", id: "operator", roles: [] } });
const raw = http2.createServer(
  connectNodeAdapter({
    routes: (router) => {
      router.service(WalletService, { getBalance: (req) => wallet.getBalance(rawContext(), req) });
      router.service(EchoService, { echo: (req) => echo.echo(rawContext(), req) });
    },
  }),
);
await new Promise<void>((resolve) => raw.listen(0, "127.0.0.1", resolve));
const rawPort = (raw.address() as { port: number }).port;

process.send!({ kit: kit.port, raw: rawPort, token: (await tokens.service("operator", 3600)).token });
process.on("SIGTERM", async () => {
  await kit.close(1000);
  raw.close();
  await db.close();
  process.exit(0);
});
