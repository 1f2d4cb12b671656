// Events are endpoints too: `withBusMiddleware(bus, stacks)` is the bus with
// every subscription's handler decorated by the same middleware
// implementations RPCs get (consumerStack in ./stack.ts), composed once per
// subscription, and every publish by the producer's (producerStack: a
// PRODUCER span, so that a consumer's span is the child of the publish) —
// go-kit's decoration by plain composition. The engine under it is told each
// subscription's deadline (timeoutMs), so that it keeps a claimed message
// from the group's other consumers for longer than that.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { handlerTimeoutMs, type Bus, type Delivery, type Publication, type SubscribeOptions } from "./bus.js";
import { chain, type Endpoint, type EventInfo, type Middleware, type PublishInfo } from "./endpoint.js";

export interface BusStacks {
  /** Around every subscription's handler, outermost first. */
  consumer: Middleware<EventInfo>[];
  /** Around every publish, outermost first. */
  producer: Middleware<PublishInfo>[];
}

/** What a middleware knows about a subscription of `bus`. */
export function eventInfo(bus: Pick<Bus, "system">, opts: SubscribeOptions<DescMessage>): EventInfo {
  return {
    kind: "event",
    side: "consumer",
    system: bus.system,
    topic: opts.topic.name,
    group: opts.group,
    timeoutMs: handlerTimeoutMs(opts),
  };
}

/** `bus` with every subscription's handler and every publish run through their stacks; close unchanged. */
export function withBusMiddleware(bus: Bus, stacks: BusStacks): Bus {
  const consume = chain(...stacks.consumer);
  const produce = chain(...stacks.producer);
  // One publishing endpoint per topic, composed the first time the topic is published.
  const publishers = new Map<string, Endpoint>();
  const publisherOf = (topic: string): Endpoint => {
    let endpoint = publishers.get(topic);
    if (!endpoint) {
      const send: Endpoint<Publication, bigint> = (ctx, p) => bus.publish(p.outbox, p.topic, p.key, p.message, ctx);
      endpoint = produce(send as Endpoint, { kind: "event", side: "producer", system: bus.system, topic });
      publishers.set(topic, endpoint);
    }
    return endpoint;
  };
  return {
    system: bus.system,
    async publish(outbox, topic, key, message, ctx) {
      // Without a Context there is no trace to continue: the engine publishes it as it is.
      if (!ctx) return bus.publish(outbox, topic, key, message);
      return (await publisherOf(topic.name)(ctx, { outbox, topic, key, message } satisfies Publication)) as bigint;
    },
    async subscribe<Desc extends DescMessage>(opts: SubscribeOptions<Desc>) {
      const info = eventInfo(bus, opts);
      const handle: Endpoint<Delivery<MessageShape<Desc>>, void> = (ctx, d) => opts.handler(ctx, d.message, d.meta);
      const endpoint = consume(handle as Endpoint, info);
      return bus.subscribe({
        ...opts,
        timeoutMs: info.timeoutMs,
        handler: async (ctx, message, meta) => {
          await endpoint(ctx, { message, meta } satisfies Delivery);
        },
      });
    },
    close: () => bus.close(),
  };
}
