import knexFactory, { type Knex } from "knex";
import pg from "pg";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { create } from "@bufbuild/protobuf";
import { HotelsChangedSchema, type HotelsChanged } from "../gen/itinera/catalog/v1/events_pb.js";
import { idGroups, listenForSignals, sendSignal, signal, type SignalListener } from "./change-signals.js";
import { until } from "./processes.testing.js";
import { testDatabase, type TestDatabase } from "./testing.js";

const log = pino({ level: "silent" });
const CHANNEL = "test_hotels";
let db: TestDatabase;
let knex: Knex;
let listener: SignalListener;
const heard: HotelsChanged[] = [];
const live: boolean[] = [];

test.before(async () => {
  db = await testDatabase();
  knex = knexFactory({ client: "pg", connection: db.url, pool: { min: 0, max: 2 } });
  listener = listenForSignals({
    url: db.url,
    log,
    retryMs: 50,
    signals: [signal(CHANNEL, HotelsChangedSchema, (m) => heard.push(m))],
    onLive: (l) => live.push(l),
  });
  await until("the listener live", () => (live.at(-1) === true ? true : undefined));
});

test.after(async () => {
  await listener.close();
  await knex.destroy();
  await db.drop();
});

const send = (trx: Knex | Knex.Transaction, ...hotelIds: string[]) => sendSignal(trx, CHANNEL, HotelsChangedSchema, create(HotelsChangedSchema, { hotelIds }));
const heardIds = () => heard.map((m) => m.hotelIds.join(","));

test("a signal sent in a transaction is heard when it commits, and never when it rolls back", async () => {
  heard.length = 0;
  await knex.transaction(async (trx) => {
    await send(trx, "rolled-back");
    throw new Error("roll back");
  }).catch(() => undefined);
  await knex.transaction(async (trx) => {
    await send(trx, "h1", "h2");
    // Not before the commit:
    assert.equal(heardIds(), []);
  });
  await until("the committed signal", () => (heard.length > 0 ? true : undefined));
  // A later signal arrives after the earlier ones: once it is heard, the rolled-back one would have been.
  await send(knex, "marker");
  await until("the marker", () => (heardIds().includes("marker") ? true : undefined));
  assert.equal(heardIds(), ["h1,h2", "marker"]);
});

test("ids are grouped so that each signal stays under NOTIFY's 8000 bytes", async () => {
  const ids = Array.from({ length: 2000 }, (_, i) => `hotel-${String(i).padStart(6, "0")}`);
  const groups = idGroups(ids);
  assert.ok(groups.length > 1);
  assert.equal(groups.flat(), ids);
  heard.length = 0;
  await knex.transaction(async (trx) => {
    for (const group of groups) await send(trx, ...group);
  });
  await until("every group", () => (heard.length === groups.length ? true : undefined));
  assert.equal(heard.flatMap((m) => m.hotelIds), ids);
});

test("a lost connection turns the listener off at once, and on again once it listens again", async () => {
  live.length = 0;
  const admin = new pg.Client({ connectionString: db.url });
  await admin.connect();
  try {
    await admin.query(`select pg_terminate_backend(pid) from pg_stat_activity where datname = $1 and query ilike 'listen%'`, [db.name]);
  } finally {
    await admin.end();
  }
  await until("the listener on again", () => (live.at(-1) === true ? true : undefined));
  assert.equal(live, [false, true]);
  heard.length = 0;
  await send(knex, "after-reconnect");
  await until("a signal after the reconnection", () => (heardIds().includes("after-reconnect") ? true : undefined));
});

test("an unreadable payload turns the listener off and on (caches start over); it keeps listening", async () => {
  live.length = 0;
  await knex.raw("select pg_notify(?, ?)", [CHANNEL, Buffer.from([0xff, 0xff, 0xff]).toString("base64")]);
  await until("off and on", () => (live.length === 2 ? true : undefined));
  assert.equal(live, [false, true]);
  heard.length = 0;
  await send(knex, "still-listening");
  await until("the next signal", () => (heardIds().includes("still-listening") ? true : undefined));
});

test.run();
