// What payment publishes (proto itinera/payment/v1/events.proto): a
// PaymentEvent on its topic, key = payment id, into the outbox of the
// transaction of the state change it announces. The service sees only `PublishPaymentEvent`; main.ts and the
// tests make one from the bus with `busPublisher`.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Context } from "../../endpoints/context.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import type { PaymentSchema } from "../../gen/itinera/payment/v1/payment_pb.js";
import { topicOf, type Bus, type Outbox } from "../../endpoints/bus.js";

export const PAYMENTS = topicOf(PaymentEventSchema);

/** Publishes one event into a transaction's outbox: delivered when it commits, never if it rolls back. */
export type PublishPaymentEvent = (outbox: Outbox, event: PaymentEvent, ctx: Context) => Promise<void>;

export function busPublisher(bus: Bus): PublishPaymentEvent {
  return async (outbox, event, ctx) => {
    const payment = event.event.value?.payment;
    if (!payment) throw new Error("a PaymentEvent carries its payment");
    await bus.publish(outbox, PAYMENTS, payment.paymentId, event, ctx);
  };
}

/** The event announcing a decided payment. */
export function decisionEvent(status: "authorised" | "declined", payment: MessageInitShape<typeof PaymentSchema>): PaymentEvent {
  return create(PaymentEventSchema, { event: { case: status, value: { payment } } });
}
