// withBusMiddleware is plain decoration: each subscription's handler is
// composed once with the consumer middlewares (outermost first), sees
// EventInfo and a Delivery, and the engine underneath is told the deadline it
// must outlast; each topic's publishing is composed once with the producer's.
// (The stack over the real PostgreSQL bus: transport/bus/consumer-stack.test.ts.)
import { create, type DescMessage } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { EchoRequestSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { DEFAULT_HANDLER_TIMEOUT_MS, type Bus, type Delivery, type DeliveryMeta, type Publication, type SubscribeOptions } from "./bus.js";
import { withBusMiddleware } from "./bus-middleware.js";
import type { EventInfo, Middleware, PublishInfo } from "./endpoint.js";
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
const outbox = { add: async () => 1n };
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
  const decorated = withBusMiddleware(bus, { consumer: [named("outer"), named("inner")], producer: [] });
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

test("a subscription's own timeoutMs reaches the middlewares and the engine", async () => {
  const { bus, subscribed } = recordingBus();
  let seen: EventInfo | undefined;
  const decorated = withBusMiddleware(bus, { consumer: [(next, info) => ((seen = info), next)], producer: [] });
  await decorated.subscribe({ topic, group: "g", timeoutMs: 120_000, handler: async () => {} });
  assert.is(seen?.timeoutMs, 120_000);
  assert.is(subscribed[0]!.timeoutMs, 120_000);
  assert.is(decorated.system, "test-engine");
});

test("each topic's publishing is composed once with the producer middlewares, which see PublishInfo and the engine's answer; a publish without a Context goes straight to the engine", async () => {
  const { bus } = recordingBus();
  const infos: PublishInfo[] = [];
  const answers: unknown[] = [];
  const decorated = withBusMiddleware(bus, {
    consumer: [],
    producer: [
      (next, info) => {
        infos.push(info);
        return async (ctx, req) => {
          const out = await next(ctx, req);
          answers.push([(req as Publication).key, out]);
          return out;
        };
      },
    ],
  });
  const m = create(EchoRequestSchema, {});
  assert.is(await decorated.publish(outbox, topic, "a", m, silentContext()), 7n);
  assert.is(await decorated.publish(outbox, topic, "b", m, silentContext()), 7n);
  assert.is(await decorated.publish(outbox, { name: "t.other", schema: EchoRequestSchema }, "c", m, silentContext()), 7n);
  assert.is(await decorated.publish(outbox, topic, "no-context", m), 7n);
  assert.equal(infos, [
    { kind: "event", side: "producer", system: "test-engine", topic: "t.unit" },
    { kind: "event", side: "producer", system: "test-engine", topic: "t.other" },
  ]);
  assert.equal(answers, [["a", 7n], ["b", 7n], ["c", 7n]]);
});

test.run();
