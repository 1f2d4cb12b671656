// A consumer is an endpoint: `withConsumerMiddleware(bus, ...middlewares)` is
// the bus with every subscription's handler decorated by the same middleware
// implementations RPCs get (consumerStack in ./stack.ts), composed once per
// subscription — go-kit's decoration by plain composition. The engine under
// it is told the subscription's deadline (timeoutMs), so that it keeps a
// claimed message from the group's other consumers for longer than that.
import type { DescMessage, MessageShape } from "@bufbuild/protobuf";
import { handlerTimeoutMs, type Bus, type Delivery, type SubscribeOptions } from "./bus.js";
import { chain, type Endpoint, type EventInfo, type Middleware } from "./endpoint.js";

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

/** `bus` with every subscription's handler run through `middlewares` (the first is the outermost); publish and close unchanged. */
export function withConsumerMiddleware(bus: Bus, ...middlewares: Middleware<EventInfo>[]): Bus {
  const decorate = chain(...middlewares);
  return {
    system: bus.system,
    publish: (outbox, topic, key, message, ctx) => bus.publish(outbox, topic, key, message, ctx),
    async subscribe<Desc extends DescMessage>(opts: SubscribeOptions<Desc>) {
      const info = eventInfo(bus, opts);
      const handle: Endpoint<Delivery<MessageShape<Desc>>, void> = (ctx, d) => opts.handler(ctx, d.message, d.meta);
      const endpoint = decorate(handle as Endpoint, info);
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
