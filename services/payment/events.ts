// What payment publishes (proto itinera/payment/v1/events.proto): a
// PaymentEvent on topic "payment.payments", key = payment id, inside the
// transaction of the state change it announces (the bus is a transactional
// outbox). The service sees only `PublishPaymentEvent`; main.ts and the
// tests make one from the bus with `busPublisher`.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import type { Knex } from "knex";
import type { Context } from "../../endpoints/context.js";
import { PaymentEventSchema, type PaymentEvent } from "../../gen/itinera/payment/v1/events_pb.js";
import type { PaymentSchema } from "../../gen/itinera/payment/v1/payment_pb.js";
import type { Bus } from "../../endpoints/bus.js";

export const PAYMENT_TOPIC = "payment.payments";

/** Publishes one event in `trx`: delivered when it commits, never if it rolls back. */
export type PublishPaymentEvent = (trx: Knex.Transaction, event: PaymentEvent, ctx: Context) => Promise<void>;

export function busPublisher(bus: Bus): PublishPaymentEvent {
  return async (trx, event, ctx) => {
    const payment = event.event.value?.payment;
    if (!payment) throw new Error("a PaymentEvent carries its payment");
    await bus.publish(trx, PAYMENT_TOPIC, payment.paymentId, PaymentEventSchema, event, ctx);
  };
}

/** The event announcing a decided payment. */
export function decisionEvent(status: "authorised" | "declined", payment: MessageInitShape<typeof PaymentSchema>): PaymentEvent {
  return create(PaymentEventSchema, { event: { case: status, value: { payment } } });
}
