// The provider side of message contracts: replays every committed pact that
// names an event provider ("booking-events") by asking the provider's test
// for each message the consumers described, by its description.
//
//   const result = await verifyMessageProvider("booking-events", {
//     "a reservation confirmed by the seller": async () => {
//       const mark = await log.mark();
//       await booking.confirmReservation(…);                      // the real service does it
//       return log.publishedOne(mark, topicOf(ReservationEventSchema).name, ReservationEventSchema, reservationId);
//     },
//   }, states);
//
// Each producer makes the provider's real code publish the message and
// returns what went onto the bus (read back from the bus's log table), in
// protobuf JSON with its {topic, key}; Pact's verifier matches it with the
// consumer's template. Fails when no pact names the provider, when a pact
// uses a state or a description without a handler, when a handler throws
// (with its error: Pact itself would only say the provider answered 500),
// and when a message does not satisfy a consumer, listing each mismatch.
import { readFile } from "node:fs/promises";
import { fromBinary, toJson, type DescMessage, type JsonValue } from "@bufbuild/protobuf";
import { Verifier, type MessageDescriptor } from "@pact-foundation/pact";
import type { Knex } from "knex";
import { PACTS_DIR } from "./consumer.js";
import { failureSummary, pactsNaming, type ProviderStates, type StateParams, type Verification, type VerifyOptions } from "./provider.js";
import { quietPactCore } from "./quiet.js";

/** A message as it went onto the bus: where, and its content in protobuf JSON. */
export interface PublishedMessage {
  topic: string;
  key: string;
  content: JsonValue;
}

/** Makes the provider publish the message a description names; the states set up before it ran. */
export type MessageProducer = (states: ReadonlyArray<{ name: string; params: StateParams }>) => Promise<PublishedMessage>;

interface PactFile {
  provider?: { name?: string };
  interactions?: Array<{ description?: string; type?: string; providerStates?: Array<{ name?: string }> }>;
}

export async function verifyMessageProvider(
  provider: string,
  producers: Readonly<Record<string, MessageProducer>>,
  states: ProviderStates,
  opts: VerifyOptions = {},
): Promise<Verification> {
  quietPactCore();
  const dir = opts.pactsDir ?? PACTS_DIR;
  const pacts = opts.pactFiles ?? (await pactsNaming(provider, dir));
  if (pacts.length === 0) throw new Error(`no pact in ${dir} names the provider "${provider}"`);
  const interactions = (await Promise.all(pacts.map(async (f) => JSON.parse(await readFile(f, "utf8")) as PactFile))).flatMap(
    (p) => p.interactions ?? [],
  );
  const unknownStates = new Set(interactions.flatMap((i) => (i.providerStates ?? []).map((s) => s.name ?? "")).filter((n) => !(n in states)));
  if (unknownStates.size > 0) {
    throw new Error(`the pacts of "${provider}" use provider states without a handler: ${[...unknownStates].map((m) => `"${m}"`).join(", ")}`);
  }
  const unknownMessages = new Set(interactions.map((i) => i.description ?? "").filter((d) => !(d in producers)));
  if (unknownMessages.size > 0) {
    throw new Error(`the pacts of "${provider}" describe messages it has no producer for: ${[...unknownMessages].map((m) => `"${m}"`).join(", ")}`);
  }
  const notMessages = interactions.filter((i) => i.type !== "Asynchronous/Messages");
  if (notMessages.length > 0) throw new Error(`the pacts of "${provider}" hold interactions that are not messages: "${notMessages[0]!.description}"`);

  // Pact's proxy answers 500 with an empty body for a handler that throws, and only logs a failed state: kept here to report.
  const thrown: string[] = [];
  const stateHandlers = Object.fromEntries(
    Object.entries(states).map(([name, setUp]) => [
      name,
      async (params?: unknown) => {
        try {
          await setUp(params && typeof params === "object" && !Array.isArray(params) ? (params as StateParams) : {});
        } catch (e) {
          thrown.push(`provider state "${name}": ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        }
        return undefined;
      },
    ]),
  );
  const messageProviders = Object.fromEntries(
    Object.entries(producers).map(([description, produce]) => [
      description,
      async (m: MessageDescriptor) => {
        try {
          const given = (m.providerStates ?? []).map((s) => ({ name: s.name, params: (s.params ?? {}) as StateParams }));
          const published = await produce(given);
          return { __pactMessageMetadata: { topic: published.topic, key: published.key }, message: published.content };
        } catch (e) {
          thrown.push(`message "${description}": ${e instanceof Error ? e.message : String(e)}`);
          throw e;
        }
      },
    ]),
  );
  const verifier = new Verifier({ provider, pactUrls: pacts, stateHandlers, messageProviders, logLevel: "error", failIfNoPactsFound: true });
  try {
    await verifier.verifyProvider();
  } catch (e) {
    const errors = thrown.length > 0 ? `\n  the provider's test failed:\n    ${thrown.join("\n    ")}` : "";
    throw new Error(`the "${provider}" provider does not satisfy its consumers' pacts:\n${failureSummary(e)}${errors}`, { cause: e });
  }
  if (thrown.length > 0) throw new Error(`the "${provider}" provider's test failed:\n  ${thrown.join("\n  ")}`);
  return { pacts, interactions: interactions.length };
}

/**
 * The bus's log (table bus.messages, transport/bus/migrations) as a provider
 * test reads it: mark where it is, make the provider act, then read what the
 * provider published since, decoded with the topic's schema.
 */
export function busLog(knex: Knex) {
  return {
    /** The id of the last message published so far (0 for none). */
    async mark(): Promise<bigint> {
      const r = await knex.raw<{ rows: { id: string | null }[] }>(`select max(id)::text as id from bus.messages`);
      return BigInt(r.rows[0]?.id ?? 0);
    },
    /** The one message published on `topic` under `key` since `mark`; throws when there is none or more than one. */
    async publishedOne(mark: bigint, topic: string, schema: DescMessage, key: string): Promise<PublishedMessage> {
      const r = await knex.raw<{ rows: { key: string; type: string; payload: Buffer }[] }>(
        `select key, type, payload from bus.messages where id > ? and topic = ? and key = ? order by id`,
        [String(mark), topic, key],
      );
      if (r.rows.length !== 1) throw new Error(`expected one message on "${topic}" with key "${key}" since message ${mark}, found ${r.rows.length}`);
      const row = r.rows[0]!;
      if (row.type !== schema.typeName) throw new Error(`the message on "${topic}" is a ${row.type}, not a ${schema.typeName}`);
      return { topic, key: row.key, content: toJson(schema, fromBinary(schema, row.payload)) };
    },
  };
}

