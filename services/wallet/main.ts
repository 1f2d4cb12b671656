// The wallet process: itinera.wallet.v1.WalletService on WALLET_PORT (7004),
// Connect, gRPC and gRPC-Web on one port, over PostgreSQL (DATABASE_URL, or
// the embedded server when unset). Bearer tokens are verified against
// identity's keys (IDENTITY_URL, fetched on the first token): money moves only
// by services (the contract's access option); the wallet itself calls no one.
// Page tokens are signed with WALLET_PAGE_TOKEN_SECRET, which every instance
// must share.
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import { config, port, secret } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { walletService } from "./service.js";
import { WalletStore } from "./store.js";
import { walletValidators } from "./validators.js";

async function main() {
  const rt = startRuntime("wallet", process.env);
  const cfg = config(process.env, {
    port: port("WALLET_PORT", 7004),
    pageTokenSecret: secret("WALLET_PAGE_TOKEN_SECRET", "itinera-development-wallet-page-tokens"),
    ...identitySettings("wallet"),
  });

  const db = await rt.openDatabase("wallet", new URL("./migrations", import.meta.url));

  const wallet = walletService({ store: new WalletStore(db.knex), pageTokenSecret: cfg.pageTokenSecret });
  const endpoints = endpointsOf(
    WalletService,
    wallet,
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: walletValidators() }),
  );

  const auth = identityAccess({
    identityUrl: cfg.identityUrl,
    serviceSecret: cfg.serviceSecret,
    serviceName: "wallet",
    registry: rt.registry,
    tracer: rt.tracer,
    log: rt.log,
  });

  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) => serveService(router, WalletService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
    ready: db.ready,
    metrics: rt.registry,
  });

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    { name: "identity client", close: async () => auth.stack.breaker.close() },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`wallet failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
