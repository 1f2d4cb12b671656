// Test fixture: the wallet on its own fresh database, called through the kit
// (localClient with the validation middleware), as main.ts wires it minus the transport.
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { WalletService } from "../../gen/itinera/wallet/v1/wallet_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { walletService } from "./service.js";
import { WalletStore } from "./store.js";
import { walletValidators } from "./validators.js";
/** The KitError a call fails with (fails the test if it succeeds or throws something else). */
export { kitRejection as failure } from "../../endpoints/testing.js";

const TABLES = ["balances", "holds", "transactions", "commands"] as const;
type Table = (typeof TABLES)[number];

export interface WalletFixture {
  client: Client<typeof WalletService>;
  ctx: Context;
  database: Database;
  /** Rows per table, to prove that a call wrote nothing (or exactly something). */
  counts(): Promise<Record<Table, number>>;
  close(): Promise<void>;
}

export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
export const TEST_PAGE_TOKEN_SECRET = "wallet-test-page-tokens";

export async function walletFixture(opts: { poolMax?: number; now?: () => Date } = {}): Promise<WalletFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "wallet", migrationsDir: MIGRATIONS, log, poolMax: opts.poolMax ?? 10 });
  const store = new WalletStore(db.knex);
  const client = localClient(
    WalletService,
    walletService({ store, pageTokenSecret: TEST_PAGE_TOKEN_SECRET, ...(opts.now ? { now: opts.now } : {}) }),
    validation(walletValidators()),
  );
  return {
    client,
    // The wallet answers a named service about any customer (booking, in production).
    ctx: backgroundContext({ log, principal: { kind: "service", id: "booking", roles: [] } }),
    database: db,
    async counts() {
      const result = { balances: 0, holds: 0, transactions: 0, commands: 0 };
      for (const table of TABLES) {
        const [{ n }] = (await db.knex(table).count({ n: "*" })) as [{ n: bigint }];
        result[table] = Number(n);
      }
      return result;
    },
    async close() {
      await db.close();
    },
  };
}

