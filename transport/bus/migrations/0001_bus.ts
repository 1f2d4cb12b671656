// The event bus's tables (schema "bus"): the log itself, one delivery row per
// (group, message) still to be handled, the groups that subscribe to each
// topic, and the messages a group gave up on. Names are schema-qualified
// because publishers write here from their own knex, whose search path is
// their own schema.
import type { Knex } from "knex";

export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    create table bus.messages (
      id         bigserial   primary key,
      topic      text        not null check (char_length(topic) between 1 and 50),
      key        text        not null check (char_length(key) <= 200),
      -- the protobuf message's full type name, e.g. itinera.booking.v1.BookingConfirmed
      type       text        not null,
      -- the protobuf binary encoding
      payload    bytea       not null,
      -- request_id, traceparent
      headers    jsonb       not null default '{}',
      created_at timestamptz not null default now()
    );
    create index messages_by_topic on bus.messages (topic, id);

    -- a group receives every message published to the topic from its first subscription on
    -- (and the topic's earlier messages, which are copied when it subscribes first)
    create table bus.subscriptions (
      group_name text        not null,
      topic      text        not null,
      created_at timestamptz not null default now(),
      primary key (group_name, topic)
    );

    -- a message still to be handled by a group; deleted once handled (or dead-lettered)
    create table bus.deliveries (
      group_name   text        not null,
      message_id   bigint      not null references bus.messages (id),
      topic        text        not null,
      key          text        not null,
      attempts     integer     not null default 0,
      available_at timestamptz not null default now(),
      last_error   text,
      primary key (group_name, message_id)
    );
    -- claiming: the oldest available delivery of a group and topic
    create index deliveries_claim on bus.deliveries (group_name, topic, available_at, message_id);
    -- order per key: is an earlier message of the same key still pending?
    create index deliveries_by_key on bus.deliveries (group_name, topic, key, message_id);

    create table bus.dead_letters (
      group_name text        not null,
      message_id bigint      not null references bus.messages (id),
      topic      text        not null,
      key        text        not null,
      attempts   integer     not null,
      last_error text        not null,
      failed_at  timestamptz not null default now(),
      primary key (group_name, message_id)
    );
  `);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw(`drop table bus.dead_letters, bus.deliveries, bus.subscriptions, bus.messages`);
}
