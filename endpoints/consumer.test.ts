// withConsumerMiddleware is plain decoration: each subscription's handler is
// composed once with the middlewares (outermost first), sees EventInfo and a
// Delivery, and the engine underneath is told the deadline it must outlast.
// (The stack over the real PostgreSQL bus: transport/bus/consumer-stack.test.ts.)
import { create, type DescMessage } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { DEFAULT_HANDLER_TIMEOUT_MS, type Bus, type Delivery, type DeliveryMeta, type SubscribeOptions } from "./bus.js";
import { withConsumerMiddleware } from "./consumer.js";
import type { EventInfo, Middleware } from "./endpoint.js";
import { silentContext } from "./testing.js";

/** A bus that hands out what it was asked to subscribe (the engine is not what this tests). */
function recordingBus() {
  const subscribed: SubscribeOptions<DescMessage>[] = [];
  const bus: Bus = {
    system: "test-engine",
    publish: async () => 7n,
    subscribe: async (opts) => {
      subscribed.push(opts as unknown as SubscribeOptions<DescMessage>);
      return { stop: async () => {} };
    },
    close: async () => {},
  };
  return { bus, subscribed };
}

const topic = { name: "t.unit", schema: EchoRequestSchema };
const meta: DeliveryMeta = { messageId: 9n, topic: "t.unit", key: "k", group: "g", attempt: 2, publishedAt: new Date(0) };

test("each handler is composed once, outermost first, with the subscription's EventInfo and a Delivery", async () => {
  const { bus, subscribed } = recordingBus();
  const calls: string[] = [];
  const infos: EventInfo[] = [];
  let composed = 0;
  const named =
    (name: string): Middleware<EventInfo> =>
    (next, info) => {
      composed++;
      infos.push(info);
      return async (ctx, req) => {
        calls.push(`${name}:${((req as Delivery).meta.attempt)}`);
        return next(ctx, req);
      };
    };
  const decorated = withConsumerMiddleware(bus, named("outer"), named("inner"));
  const handled: string[] = [];
  await decorated.subscribe({ topic, group: "g", handler: async (_ctx, m, md) => void handled.push(`${m.message}#${md.messageId}`) });
  assert.is(composed, 2, "composed at subscription, not per message");

  const engineSide = subscribed[0]!;
  await engineSide.handler(silentContext(), create(EchoRequestSchema, { message: "hi" }), meta);
  await engineSide.handler(silentContext(), create(EchoRequestSchema, { message: "again" }), meta);
  assert.is(composed, 2);
  assert.equal(calls, ["outer:2", "inner:2", "outer:2", "inner:2"]);
  assert.equal(handled, ["hi#9", "again#9"]);
  assert.equal(infos[0], { kind: "event", side: "consumer", system: "test-engine", topic: "t.unit", group: "g", timeoutMs: DEFAULT_HANDLER_TIMEOUT_MS });
  // The engine is told the deadline, to lease the message for longer.
  assert.is(engineSide.timeoutMs, DEFAULT_HANDLER_TIMEOUT_MS);
});

test("a subscription's own timeoutMs reaches the middlewares and the engine; publish and close pass through", async () => {
  const { bus, subscribed } = recordingBus();
  let seen: EventInfo | undefined;
  const decorated = withConsumerMiddleware(bus, (next, info) => ((seen = info), next));
  await decorated.subscribe({ topic, group: "g", timeoutMs: 120_000, handler: async () => {} });
  assert.is(seen?.timeoutMs, 120_000);
  assert.is(subscribed[0]!.timeoutMs, 120_000);
  assert.is(decorated.system, "test-engine");
  assert.is(await decorated.publish({ add: async () => 1n }, topic, "k", create(EchoRequestSchema, {})), 7n);
});

test.run();
