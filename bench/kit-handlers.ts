// What bench-kit's and bench-transport's servers serve: the wallet
// implementation on its own database (GetBalance, a PostgreSQL read) and an
// Echo that does no I/O, each also as kit endpoints with the full server
// middleware stack as the services' main.ts wire it. Logs go where a real
// service's go (JSON lines on stdout, which the benchmarks send to
// /dev/null); the registry has process_cpu_seconds_total, which tells the
// benchmark the server's CPU per call. Also the wallets both benchmarks
// read, seeded once and read in turn.
import { fileURLToPath } from "node:url";
import type { Client } from "@connectrpc/connect";
import { collectDefaultMetrics, Registry } from "prom-client";
import { endpointsOf, type Service } from "../endpoints/service.js";
import { serverStack } from "../endpoints/stack.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { CreditReason, WalletService } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { openDatabase } from "../platform/db.js";
import { createLogger } from "../platform/logger.js";
import { createTracing } from "../platform/tracing.js";
import { walletService } from "../services/wallet/service.js";
import { WalletStore } from "../services/wallet/store.js";
import { walletValidators } from "../services/wallet/validators.js";

export async function kitHandlers(service: string, databaseUrl: string) {
  const log = createLogger({ service });
  const tracing = createTracing({ serviceName: service });
  const registry = new Registry();
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
  const wallet = walletService({ store: new WalletStore(db.knex), pageTokenSecret: "bench-wallet-page-tokens" });
  const echo: Service<typeof EchoService> = {
    echo: async (_ctx, req) => ({ message: req.message }),
    increment: async (_ctx, req) => ({ value: BigInt(req.by) }),
    countdown: async function* () {},
    slow: async () => ({}),
  };
  return {
    log,
    tracing,
    registry,
    db,
    wallet,
    echo,
    walletEndpoints: endpointsOf(WalletService, wallet, ...serverStack({ registry, tracer: tracing.tracer, validators: walletValidators() })),
    echoEndpoints: endpointsOf(EchoService, echo, ...serverStack({ registry, tracer: tracing.tracer })),
  };
}

/** The wallets the benchmarks read: customer-0 … customer-199. */
const CUSTOMERS = 200;

/** Credits each benchmark wallet once (money moves only with a service token: `headers` carry it). */
export async function seedWallets(wallet: Client<typeof WalletService>, headers: Record<string, string>): Promise<void> {
  for (let i = 0; i < CUSTOMERS; i++) {
    await wallet.credit(
      {
        idempotencyKey: `bench-seed-${i}`,
        customerId: `customer-${i}`,
        amount: { amountMinor: BigInt(1000 + i), currency: "EUR" },
        reason: CreditReason.PROMOTION,
      },
      { headers },
    );
  }
}

/** GetBalance of each benchmark wallet in turn (wallets are read by the customer or a named service only). */
export function getBalanceCall(client: Client<typeof WalletService>, headers: Record<string, string>) {
  let i = 0;
  return () => client.getBalance({ customerId: `customer-${i++ % CUSTOMERS}`, currency: "EUR" }, { headers });
}
