// Test fixture: identity on its own fresh database with its signing key,
// called through the kit (localClient with the validation middleware).
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client } from "../../endpoints/service.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { identityService } from "./service.js";
import { loadSigner, type TokenSigner } from "./signing-keys.js";
import { IdentityStore } from "./store.js";
import { identityValidators } from "./validators.js";

export const TEST_SERVICE_SECRET = "test-service-secret";
export const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));

export interface IdentityFixture {
  client: Client<typeof IdentityService>;
  ctx: Context;
  database: Database;
  store: IdentityStore;
  signer: TokenSigner;
  /** Another client over the same database and key, with its own clock. */
  clientAt(now: () => Date): Client<typeof IdentityService>;
  close(): Promise<void>;
}

export async function identityFixture(): Promise<IdentityFixture> {
  const log = pino({ level: "silent" });
  const db = await testServiceDatabase({ schema: "identity", migrationsDir: MIGRATIONS, log, poolMax: 5 });
  const store = new IdentityStore(db.knex);
  const signer = await loadSigner(store);
  const clientAt = (now: () => Date) =>
    localClient(IdentityService, identityService({ store, signer, now, serviceSecret: TEST_SERVICE_SECRET }), validation(identityValidators()));
  return {
    client: clientAt(() => new Date()),
    clientAt,
    ctx: backgroundContext({ log }),
    database: db,
    store,
    signer,
    async close() {
      await db.close();
    },
  };
}
