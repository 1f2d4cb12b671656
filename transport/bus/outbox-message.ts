// What Bus.publish puts into an outbox, on either engine: the encoded message
// with its topic, key and type, and the headers a consumer's context
// continues (request_id, traceparent).
import { toBinary, type DescMessage, type MessageShape } from "@bufbuild/protobuf";
import { checkTopic, type OutboxMessage, type Topic } from "../../endpoints/bus.js";
import { traceparent, type Context } from "../../endpoints/context.js";

const KEY_MAX = 200;

export function outboxMessage<Desc extends DescMessage>(topic: Topic<Desc>, key: string, message: MessageShape<Desc>, ctx?: Context): OutboxMessage {
  // A key travels as a NATS header and a PostgreSQL column: printable and bounded.
  if (key.length > KEY_MAX || /[\u0000-\u001f\u007f]/.test(key)) {
    throw new Error(`invalid bus key ${JSON.stringify(key.slice(0, 50))}: want at most ${KEY_MAX} characters and no control characters`);
  }
  const headers: Record<string, string> = {};
  if (ctx) {
    headers.request_id = ctx.requestId;
    if (ctx.trace) headers.traceparent = traceparent(ctx.trace);
  }
  return { topic: checkTopic(topic.name), key, type: topic.schema.typeName, payload: toBinary(topic.schema, message), headers };
}
