// The bytes earlier releases wrote decode with today's code: every release's
// golden fixtures (contracts/golden/<commit>/, written once by `make golden`,
// never rewritten — this test only reads them) decode to the JSON recorded
// beside them, re-encode to the same bytes (a retried command's request hash
// must match across a deploy), and arrive where today's consumers read them:
// the outbox rows through the bus's real consumer, change signals through the
// listener's decoding, on topics and channels today's code still follows.
// Every event and stored message of today's contracts must have a fixture
// (contracts/golden/registry.ts derives the list from gen/).
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fromBinary, toBinary, toJson, type DescMessage, type JsonValue, type Message } from "@bufbuild/protobuf";
import { reflect } from "@bufbuild/protobuf/reflect";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { signal } from "../platform/change-signals.js";
import { until } from "../platform/processes.testing.js";
import { topicOf } from "../endpoints/bus.js";
import { ReservationEventSchema, RoomAvailableSchema, RoomSoldOutSchema } from "../gen/itinera/booking/v1/events_pb.js";
import { AccountEventSchema } from "../gen/itinera/identity/v1/events_pb.js";
import { PaymentEventSchema } from "../gen/itinera/payment/v1/events_pb.js";
import { FLIGHTS_CHANNEL, HOTEL_PRICES_CHANNEL, HOTELS_CHANNEL } from "../services/search/cache-signals.js";
import { openBusTestDatabase, silentLog } from "../transport/bus/database.fixture.js";
import { PostgresBus } from "../transport/bus/postgres-bus.js";
import type { Placement } from "./golden/examples.js";
import { obligations, typeRegistry, unmet } from "./golden/registry.js";

const GOLDEN = new URL("./golden/", import.meta.url).pathname;
/** What today's consumers follow: a stored row or signal elsewhere would never be read. */
const CONSUMED_TOPICS = new Set([ReservationEventSchema, RoomSoldOutSchema, RoomAvailableSchema, AccountEventSchema, PaymentEventSchema].map((s) => topicOf(s).name));
const LISTENED_CHANNELS = new Set([HOTEL_PRICES_CHANNEL, HOTELS_CHANNEL, FLIGHTS_CHANNEL]);

interface Fixture {
  release: string;
  name: string;
  type: string;
  placement: Placement;
  message: JsonValue;
  bytes: Buffer;
}

interface StoredRow {
  fixture: string;
  topic: string;
  key: string;
  type: string;
  headers: Record<string, string>;
  payload: string;
}

const releases = readdirSync(GOLDEN, { withFileTypes: true })
  .filter((e) => e.isDirectory())
  .map((e) => e.name)
  .sort();
const fixtures: Fixture[] = releases.flatMap((release) =>
  readdirSync(join(GOLDEN, release))
    .filter((f) => f.endsWith(".json") && f !== "bus-messages.json")
    .sort()
    .map((f) => {
      const name = f.slice(0, -".json".length);
      const recorded = JSON.parse(readFileSync(join(GOLDEN, release, f), "utf8")) as Omit<Fixture, "release" | "name" | "bytes">;
      return { release, name, ...recorded, bytes: readFileSync(join(GOLDEN, release, `${name}.binpb`)) };
    }),
);
const registry = await typeRegistry();

function schemaOf(release: string, type: string): DescMessage {
  const schema = registry.getMessage(type);
  if (!schema) {
    throw new Error(`${type}, written by release ${release}, is gone from gen/: its bytes may still be stored (outbox rows, commands) — keep the type`);
  }
  return schema;
}

/** As the consumer decodes it: a change signal through the listener's own decoding, anything else with fromBinary. */
function decode(f: Fixture, schema: DescMessage): Message {
  if (!("signal" in f.placement)) return fromBinary(schema, f.bytes);
  let decoded: Message | undefined;
  signal(f.placement.signal, schema, (m) => (decoded = m)).handle(f.bytes.toString("base64"));
  return decoded!;
}

test("golden fixtures of at least one release are committed", () => {
  assert.ok(releases.length > 0, `no release directory in ${GOLDEN}: record one with make golden RELEASE=<commit>`);
  for (const release of releases) assert.ok(fixtures.some((f) => f.release === release), `${release} holds no fixture`);
});

for (const f of fixtures) {
  test(`${f.release}/${f.name}: decodes with today's code to what was recorded, and re-encodes to the same bytes`, () => {
    const schema = schemaOf(f.release, f.type);
    const decoded = decode(f, schema);
    assert.equal(toJson(schema, decoded, { registry }), f.message, `${f.type} of ${f.release} reads differently today`);
    assert.ok(
      Buffer.from(toBinary(schema, decoded)).equals(f.bytes),
      `${f.type} of ${f.release} re-encodes to other bytes: a command retried across the deploy would hash differently`,
    );
    if ("signal" in f.placement) assert.ok(LISTENED_CHANNELS.has(f.placement.signal), `nothing listens on ${f.placement.signal} any more`);
    if ("bus" in f.placement) assert.ok(CONSUMED_TOPICS.has(f.placement.bus.topic), `no consumer follows ${f.placement.bus.topic} any more`);
  });
}

test("every event and stored message of today's contracts has a golden fixture", async () => {
  // A fixture that no longer decodes fails its own test; here it covers nothing.
  const decoded = fixtures.flatMap((f) => {
    try {
      const schema = schemaOf(f.release, f.type);
      return [reflect(schema, decode(f, schema))];
    } catch {
      return [];
    }
  });
  const missing = unmet(await obligations(), decoded);
  assert.equal(
    missing.map((o) => `${o.typeName} (${o.why})`),
    [],
    "no golden fixture of these: add an example to contracts/golden/examples.ts and record the release's fixtures with make golden RELEASE=<commit>",
  );
});

for (const release of releases) {
  test(`${release}: the outbox rows it stored are delivered by today's bus and decoded by today's consumers`, async () => {
    const rows = JSON.parse(readFileSync(join(GOLDEN, release, "bus-messages.json"), "utf8")) as StoredRow[];
    assert.ok(rows.length > 0, `${release}/bus-messages.json holds no row`);
    const busDb = await openBusTestDatabase();
    const bus = new PostgresBus({ knex: busDb.db.knex, log: silentLog, pollMs: 50 });
    try {
      const stored = new Map<string, StoredRow>();
      for (const row of rows) {
        const inserted = await busDb.db.knex.raw<{ rows: { id: string }[] }>(
          `insert into bus.messages (topic, key, type, payload, headers) values (?, ?, ?, ?, ?) returning id::text`,
          [row.topic, row.key, row.type, Buffer.from(row.payload, "base64"), JSON.stringify(row.headers)],
        );
        stored.set(inserted.rows[0]!.id, row);
      }
      const received = new Map<string, { message: JsonValue; key: string; requestId: string; traceId: string | undefined }>();
      for (const topic of new Set(rows.map((r) => r.topic))) {
        const types = new Set(rows.filter((r) => r.topic === topic).map((r) => r.type));
        assert.is(types.size, 1, `topic ${topic} holds several types: ${[...types].join(", ")}`);
        const schema = schemaOf(release, [...types][0]!);
        await bus.subscribe({
          // the topic as the release stored it (CONSUMED_TOPICS checks today's consumers still follow it)
          topic: { name: topic, schema },
          group: "golden",
          maxAttempts: 1,
          handler: async (ctx, message, meta) => {
            received.set(String(meta.messageId), { message: toJson(schema, message, { registry }), key: meta.key, requestId: ctx.requestId, traceId: ctx.trace?.traceId });
          },
        });
      }
      const deadLetters = () => busDb.db.knex("bus.dead_letters").orderBy("message_id").select("message_id", "last_error");
      // Each row is handled once or dead-lettered at its first failure (maxAttempts 1).
      await until(
        "every stored row handled or dead-lettered",
        async () => (received.size + (await deadLetters()).length === stored.size ? true : undefined),
        15_000,
      );
      const dead = (await deadLetters()) as { message_id: bigint; last_error: string }[];
      assert.equal(
        dead.map((d) => `${stored.get(String(d.message_id))?.fixture}: ${d.last_error}`),
        [],
        "today's consumers refused these stored rows",
      );
      for (const [id, row] of stored) {
        const got = received.get(id)!;
        const expected = fixtures.find((f) => f.release === release && f.name === row.fixture);
        assert.ok(expected, `${row.fixture} has no fixture beside bus-messages.json`);
        assert.equal(got.message, expected.message, `${row.fixture} as today's consumer decodes it`);
        assert.is(got.key, row.key);
        assert.is(got.requestId, row.headers.request_id, `${row.fixture}: the stored request id reaches the handler`);
        assert.is(got.traceId, row.headers.traceparent?.split("-")[1], `${row.fixture}: the stored trace reaches the handler`);
      }
    } finally {
      await bus.close();
      await busDb.close();
    }
  });
}

test.run();
