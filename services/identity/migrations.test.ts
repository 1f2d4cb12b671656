// Rolling identity back past sessions (0002) and e-mail confirmation (0003)
// and forward again must not turn what those migrations refuse into something
// accepted: an unconfirmed sign-up (its password chosen by whoever typed the
// address) must not come back as a confirmed account, and a signed-out
// session's refresh token must stay refused. The shape of every step down and
// up is platform/migrations.test.ts's; this is what the data means.
import { randomBytes } from "node:crypto";
import { fileURLToPath } from "node:url";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { migratorConfig, openDatabase, type Database } from "../../platform/db.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { IdentityStore } from "./store.js";

const MIGRATIONS = fileURLToPath(new URL("./migrations", import.meta.url));
const now = new Date("2026-12-01T10:00:00Z");
const later = new Date("2027-01-01T00:00:00Z");

let database: TestDatabase;
let db: Database;

test.before(async () => {
  database = await testDatabase();
  db = await openDatabase({
    url: database.url,
    dataDir: ".data/unused",
    embeddedPort: 0,
    schema: "identity",
    migrationsDir: MIGRATIONS,
    log: pino({ level: "silent" }),
  });
});

test.after(async () => {
  await db?.close();
  await database?.drop();
});

async function confirmedCustomer(store: IdentityStore, email: string): Promise<string> {
  const customer = await store.signUp((tx) => tx.customerForSignUp({ email, displayName: "Owner", passwordHash: "scrypt$owner", createTime: now }));
  const link = randomBytes(32);
  await store.signUp((tx) =>
    tx.insertVerification({ tokenHash: link, customerId: customer.customerId, passwordHash: "scrypt$owner", displayName: "Owner", expireTime: later, createTime: now }),
  );
  assert.ok(await store.verifyEmail(link, now), "the link confirms the account");
  return customer.customerId;
}

async function refreshToken(store: IdentityStore, customerId: string): Promise<Buffer> {
  const familyId = await store.newFamily(customerId, now);
  const token = randomBytes(32);
  await store.insertRefreshToken({ tokenHash: token, customerId, familyId, expireTime: later, createTime: now });
  return token;
}

test("down past 0003 and 0002 and up again: no unconfirmed sign-up becomes an account, no signed-out session comes back", async () => {
  const store = new IdentityStore(db.knex, postgresOutbox);
  const owner = await confirmedCustomer(store, "owner@example.com");
  const signedOut = await refreshToken(store, owner);
  assert.ok(await store.revokeFamilyOf(signedOut, now), "sign-out");
  const live = await refreshToken(store, owner);
  await store.signUp((tx) =>
    tx.customerForSignUp({ email: "victim@example.com", displayName: "Not the owner", passwordHash: "scrypt$stranger", createTime: now }),
  );

  const config = migratorConfig("identity", MIGRATIONS);
  // Every migration after 0001 undone, one at a time (later ones first), however many there are now.
  while (Number(await db.knex.migrate.currentVersion(config)) >= 2) await db.knex.migrate.down(config);
  await db.knex.migrate.latest(config);

  assert.is(await store.customerByEmail("victim@example.com"), undefined, "the unconfirmed sign-up is nobody's account");
  assert.ok((await store.customerByEmail("owner@example.com"))?.verifiedTime, "the confirmed account stays confirmed");
  assert.is.not((await store.useRefreshToken(signedOut, now)).outcome, "used", "the signed-out session's token is refused");
  assert.is((await store.useRefreshToken(live, now)).outcome, "used", "the live session's token still works");
});

test.run();
