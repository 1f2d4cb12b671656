// The NATS bus's two streams, created (or brought to this configuration) by
// every process that opens the bus, so the first one up creates them.
//
// ITINERA_EVENTS holds every topic (subjects events.>, ./subjects.ts): one
// stream, so its sequence numbers a message uniquely across topics, which is
// what DeliveryMeta.messageId and the inboxes keyed (group, messageId) need.
// Messages are kept 7 days whether consumed or not (a group that subscribes
// late still gets the topic's earlier messages, as on PostgreSQL).
// Its duplicate window is 1 hour: a row is published again only when its
// relay died (or lost the database) between the server's ack and the delete;
// the next pass — seconds later, or once the database is back — re-publishes
// it, and the hour covers a long database outage. Each id costs the server a
// little memory for the hour, which a shorter window would save.
//
// ITINERA_DEAD_LETTERS keeps one message per (group, message) (max one per
// subject: a message that fails again after a replay replaces its earlier
// dead letter), with no age limit: an operator replays or discards them.
import { nanos } from "@nats-io/transport-node";
import { DiscardPolicy, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from "@nats-io/jetstream";
import { DEAD_LETTERS_STREAM, EVENTS_STREAM } from "./subjects.js";

const HOUR_MS = 3_600_000;
export const DUPLICATE_WINDOW_MS = HOUR_MS;
const EVENTS_MAX_AGE_MS = 7 * 24 * HOUR_MS;

export function streamConfigs(replicas: number): (Partial<StreamConfig> & { name: string })[] {
  const common = {
    retention: RetentionPolicy.Limits,
    storage: StorageType.File,
    discard: DiscardPolicy.Old,
    num_replicas: replicas,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
  return [
    { ...common, name: EVENTS_STREAM, subjects: ["events.>"], max_age: nanos(EVENTS_MAX_AGE_MS) },
    { ...common, name: DEAD_LETTERS_STREAM, subjects: ["dead.>"], max_msgs_per_subject: 1 },
  ];
}

/** Creates the streams, or updates them when they exist with another configuration. */
export async function ensureStreams(jsm: JetStreamManager, replicas: number): Promise<void> {
  for (const config of streamConfigs(replicas)) {
    try {
      await jsm.streams.add(config);
    } catch (e) {
      // 10058: the name is in use with another configuration (say an older replica count).
      if ((e as { code?: number }).code !== 10058) throw e;
      await jsm.streams.update(config.name, config);
    }
  }
}
