// The subscriptions a bus has started, on either engine: each is forgotten
// when stopped, and the bus's close stops those still running.
import type { Subscription } from "../../endpoints/bus.js";

export class Subscriptions {
  private readonly running = new Set<Subscription>();

  /** The consumer as the bus hands it out: stopping it also forgets it. */
  track(consumer: Subscription): Subscription {
    const subscription: Subscription = {
      stop: async () => {
        this.running.delete(subscription);
        await consumer.stop();
      },
    };
    this.running.add(subscription);
    return subscription;
  }

  /** Stops every subscription still running (each after its messages in hand). */
  async stopAll(): Promise<void> {
    await Promise.all([...this.running].map((s) => s.stop()));
  }
}
