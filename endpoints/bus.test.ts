// Topics are declared once, in the contract: every message published on the
// bus declares its (itinera.options.v1.topic), found here from the generated
// code itself, so a new event without one fails this test; topicOf refuses a
// message that declares none, at wiring time.
import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { hasOption, type DescFile, type DescMessage } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { FlightsChangedSchema, HotelsChangedSchema } from "../gen/itinera/catalog/v1/events_pb.js";
import { EchoRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { topic as topicOption } from "../gen/itinera/options/v1/options_pb.js";
import { HotelPricesChangedSchema } from "../gen/itinera/pricing/v1/events_pb.js";
import { topicOf } from "./bus.js";

const GEN = fileURLToPath(new URL("../gen/itinera/", import.meta.url));

/**
 * Change signals travel as PostgreSQL NOTIFYs on channels, never on the bus
 * (platform/change-signals.ts): the only messages of an events.proto sent
 * without a topic.
 */
const CHANGE_SIGNALS: readonly DescMessage[] = [HotelsChangedSchema, FlightsChangedSchema, HotelPricesChangedSchema];

/** The messages each events.proto sends on their own: those no other message of the file contains (a oneof's arms are not sent alone). */
async function sentMessages(): Promise<DescMessage[]> {
  const sent: DescMessage[] = [];
  for (const pkg of readdirSync(GEN).sort()) {
    for (const version of readdirSync(`${GEN}${pkg}`).sort()) {
      if (!readdirSync(`${GEN}${pkg}/${version}`).includes("events_pb.ts")) continue;
      const module = (await import(`${GEN}${pkg}/${version}/events_pb.ts`)) as Record<string, unknown>;
      const file = Object.values(module).find((v): v is DescFile => (v as DescFile | undefined)?.kind === "file")!;
      const contained = new Set(file.messages.flatMap((m) => m.fields.flatMap((f) => (f.message ? [f.message.typeName] : []))));
      sent.push(...file.messages.filter((m) => !contained.has(m.typeName)));
    }
  }
  return sent;
}

test("every message an events.proto sends on the bus declares its topic, named after its service, one message per topic", async () => {
  const events = (await sentMessages()).filter((m) => !CHANGE_SIGNALS.includes(m));
  const topics = new Map(events.map((m) => [m.typeName, topicOf(m).name]));
  assert.equal(Object.fromEntries(topics), {
    "itinera.booking.v1.ReservationEvent": "booking.reservations",
    "itinera.booking.v1.RoomSoldOut": "booking.availability",
    "itinera.booking.v1.RoomAvailable": "booking.returns",
    "itinera.identity.v1.AccountEvent": "identity.accounts",
    "itinera.payment.v1.PaymentEvent": "payment.payments",
  });
  for (const m of events) {
    const service = m.typeName.split(".")[1];
    assert.ok(topics.get(m.typeName)!.startsWith(`${service}.`), `${m.typeName}'s topic ${topics.get(m.typeName)} must start with "${service}."`);
  }
  assert.is(new Set(topics.values()).size, topics.size, "two messages share a topic");
});

test("change signals are no bus events: they declare no topic", async () => {
  const sent = await sentMessages();
  for (const s of CHANGE_SIGNALS) {
    assert.ok(sent.includes(s), `${s.typeName} is sent by an events.proto`);
    assert.not.ok(hasOption(s, topicOption), `${s.typeName} is a change signal (a NOTIFY): it must not declare a bus topic`);
  }
});

test("topicOf refuses a message that declares no topic, saying how to declare one", () => {
  assert.throws(
    () => topicOf(EchoRequestSchema),
    (e: Error) =>
      e.message ===
      `itinera.echo.v1.EchoRequest is not an event: it declares no bus topic; add option (itinera.options.v1.topic) = "<service>.<things>" to the message in its events.proto`,
  );
});

test.run();
