// Consumer-driven contracts for events on the bus: Pact V4 asynchronous
// messages. The content is the event's protobuf JSON (toJson of its schema:
// lowerCamel names, int64 as strings, zero values left out) with Pact's
// matchers for what varies; the metadata is where the bus puts it, {topic, key}.
//
//   const pact = await messagePact("mailer", "booking-events");     // in test.before
//   test("…", async () => {
//     await pact.interaction()
//       .given("a reservation is paid", { … })
//       .expectsToReceive("a reservation confirmed by the seller", (m) =>
//         m.withJSONContent({ confirmed: { reservation: { reservationId: like("res_…"), … } } })
//          .withMetadata(onTopic(topicOf(ReservationEventSchema).name, like("res_…"))))
//       .executeTest(async (m) => {
//         const { message, meta } = delivered(ReservationEventSchema, m, "mailer");
//         await handler(ctx, message, meta);                           // the consumer's real handler
//       });
//   });
//   test("the pact is the committed …", () => pact.settle());         // last
//
// No mock server: Pact hands the example message to the test, the consumer's
// handler runs on it, and the interaction is recorded only if the test passes.
// The pact file is checked against the committed one as consumer.ts does for
// HTTP pacts (PACT_UPDATE=1 writes it). The provider side is message-provider.ts.
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fromJson, type DescMessage, type JsonValue, type MessageShape } from "@bufbuild/protobuf";
import { MatchersV3, PactV4 } from "@pact-foundation/pact";
import type { DeliveryMeta } from "../endpoints/bus.js";
import { PACTS_DIR, settleWithCommitted, updateRequested, type ConsumerPactOptions } from "./consumer.js";
import { quietPactCore } from "./quiet.js";

/** A message interaction being described: given(…), expectsToReceive(description, builder), executeTest(test). */
export type MessageInteraction = ReturnType<PactV4["addAsynchronousInteraction"]>;
type Described = ReturnType<MessageInteraction["expectsToReceive"]>;
/** The example message Pact hands a consumer test: its content and metadata. */
export type PactMessage = Parameters<Parameters<Described["executeTest"]>[0]>[0];

export interface MessagePact {
  readonly consumer: string;
  readonly provider: string;
  /** The committed file this pact is compared with. */
  readonly file: string;
  /** A new message interaction; finish it with executeTest, which runs the consumer on the example message. */
  interaction(): MessageInteraction;
  /** As ConsumerPact.settle: "unchanged", "written" (PACT_UPDATE=1), or throws listing the changes. */
  settle(): Promise<"unchanged" | "written">;
  close(): Promise<void>;
}

/**
 * The pact of a consumer of a provider's events. The provider is named
 * "<service>-events" (booking-events), so that its message pacts live in files
 * of their own, apart from the same two services' HTTP pacts (sellers-booking.json),
 * and the HTTP verification of "booking" never picks up a message interaction.
 */
export async function messagePact(consumer: string, provider: string, opts: ConsumerPactOptions = {}): Promise<MessagePact> {
  quietPactCore();
  const scratch = await mkdtemp(join(tmpdir(), `pact-${consumer}-${provider}-`));
  const name = `${consumer}-${provider}.json`;
  const file = join(opts.pactsDir ?? PACTS_DIR, name);
  const pact = new PactV4({ consumer, provider, dir: scratch, logLevel: "error" });
  let failed = 0;
  return {
    consumer,
    provider,
    file,
    interaction: () => countingFailures(pact.addAsynchronousInteraction(), () => failed++),
    settle: async () => settleWithCommitted({ consumer, provider, written: join(scratch, name), file, update: updateRequested(opts), failed, env: opts.env }),
    close: () => rm(scratch, { recursive: true, force: true }),
  };
}

/** Counts the interactions whose executeTest failed, so that settle() never compares an incomplete pact. */
function countingFailures<T extends object>(stage: T, onFailure: () => void): T {
  return new Proxy(stage, {
    get(target, prop, receiver) {
      const value: unknown = Reflect.get(target, prop, receiver);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const next: unknown = value.apply(target, args);
        if (prop === "executeTest") {
          return (next as Promise<unknown>).catch((e: unknown) => {
            onFailure();
            throw e;
          });
        }
        return typeof next === "object" && next !== null ? countingFailures(next, onFailure) : next;
      };
    },
  });
}

/** The metadata of a message on the bus: its topic (exact) and its key (usually a matcher). */
export function onTopic(topic: string, key: string | MatchersV3.Matcher<string>): Record<string, string | MatchersV3.Matcher<string>> {
  return { topic, key };
}

let deliveries = 0n;

/**
 * The message Pact hands the test, as the bus would hand it to the consumer's
 * handler: the content decoded with fromJson(schema) (unknown fields are an
 * error, as they should be for a contract written from the schema), and a
 * delivery of it to `group` — topic and key from the message's metadata, a
 * message id no other delivery of this process has (inboxes key on it).
 */
export function delivered<D extends DescMessage>(
  schema: D,
  m: PactMessage,
  group: string,
): { message: MessageShape<D>; meta: DeliveryMeta } {
  const metadata = (m.metadata ?? {}) as Record<string, unknown>;
  const text = (name: string) => {
    const v = metadata[name];
    if (typeof v !== "string") throw new Error(`the message's metadata has no "${name}": ${JSON.stringify(metadata)}`);
    return v;
  };
  const message = fromJson(schema, m.contents.content as JsonValue);
  // Far from the bus's own ids (a bigserial from 1): never the id of a message the consumer's fixture published.
  const messageId = 9_000_000_000n + BigInt(process.pid) * 1_000n + ++deliveries;
  return { message, meta: { messageId, topic: text("topic"), key: text("key"), group, attempt: 1, publishedAt: new Date() } };
}

/** A timestamp in proto JSON: RFC 3339 in UTC, with or without fractions ("2027-03-01T10:00:00.123Z"). */
export function timestampString(example: string): MatchersV3.V3RegexMatcher {
  return MatchersV3.regex(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/, example);
}

/** An itinera.type.v1.Date in proto JSON, any date: { year, month, day } as integers. */
export function dateTemplate(iso: string): { year: MatchersV3.Matcher<number>; month: MatchersV3.Matcher<number>; day: MatchersV3.Matcher<number> } {
  const [year, month, day] = iso.split("-").map(Number) as [number, number, number];
  return { year: MatchersV3.integer(year), month: MatchersV3.integer(month), day: MatchersV3.integer(day) };
}
