// The mailer's consumer (group "mailer" on ReservationEvent's topic): one
// e-mail per reservation event — the invoice when it is confirmed, the
// apology with the refund when it failed, the cancellation with the fee and
// the refund when it was cancelled; nothing for `paid`.
//
// Exactly one e-mail, however often an event arrives and wherever the process
// dies: the e-mail's row (reservation, kind) is the idempotency record — not
// the bus message id, so the same event published twice is one e-mail too.
//   1. a row already 'sent' → nothing (not even GetCustomer);
//   2. the address from identity.GetCustomer as the mailer's own service
//      principal; any failure throws, so the bus retries, nothing recorded;
//   3. the row is committed as 'sending' with one more attempt counted;
//   4. in one transaction opened BEFORE the SMTP server is contacted: lock
//      the row, send with the deterministic Message-ID, mark it 'sent', commit.
// A crash before the server accepts leaves 'sending': the redelivery sends,
// and nobody got anything before. What remains is the window between the
// server accepting the message (it has it once it answers 250 to the DATA)
// and our COMMIT: the 250 on its way back, one UPDATE and the COMMIT on a
// connection already held — about a millisecond on one machine. A kill -9
// there (or a 250 lost on the network, RFC 1047's classic case) sends the
// e-mail again on redelivery, with the SAME Message-ID (a receiver or a
// person can tell it is a duplicate), and the row says attempts > 1.
import type { Context, Principal } from "../../endpoints/context.js";
import { derive } from "../../endpoints/context.js";
import { Code, KitError } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import type { Reservation } from "../../gen/itinera/booking/v1/booking_pb.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import type { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { topicOf, defaultBackoff, type Bus, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import type { Sender } from "./smtp.js";
import type { EmailStore, EmailType } from "./store.js";
import { renderEmail } from "./templates.js";

export const MAILER_GROUP = "mailer";

export interface NotifierDeps {
  store: EmailStore;
  /** identity, for the customer's address and name (GetCustomer, services only). */
  identity: Client<typeof IdentityService>;
  sender: Sender;
  /** The mailer's own service principal (identityAccess(...).tokens.principal in main.ts). */
  principal: (ctx: Context) => Promise<Principal>;
}

/** The e-mail an event calls for: its kind and the reservation; undefined for none. */
export function emailFor(event: ReservationEvent): { kind: EmailType; reservation: Reservation } | undefined {
  const e = event.event;
  switch (e.case) {
    case "confirmed":
      return e.value.reservation && { kind: "invoice", reservation: e.value.reservation };
    case "failed":
      return e.value.reservation && { kind: "apology", reservation: e.value.reservation };
    case "cancelled":
      return e.value.reservation && { kind: "cancellation", reservation: e.value.reservation };
    default:
      // `paid` (the customer hears from us once the seller answers), or an event this build does not know
      return undefined;
  }
}

/** "<invoice.res_123@itinera.example>": one per reservation and kind, whatever attempt sends it. */
export function messageIdOf(kind: EmailType, reservationId: string): string {
  // Anything outside a dot-atom's safe letters is percent-encoded, so the id stays a valid header.
  const local = reservationId.replace(/[^A-Za-z0-9_-]/g, (ch) => `%${ch.charCodeAt(0).toString(16).padStart(2, "0")}`);
  return `<${kind}.${local}@itinera.example>`;
}

/** The handler; it throws to have the bus try the message again. */
export function reservationNotifier(deps: NotifierDeps): MessageHandler<ReservationEvent> {
  return async (ctx, event) => {
    const wanted = emailFor(event);
    if (!wanted) return;
    const { kind, reservation } = wanted;
    const key = { reservationId: reservation.reservationId, kind };
    const log = ctx.log.child({ reservation_id: key.reservationId, email: kind });
    // A broken event cannot become right by retrying; throwing lets it reach the dead letters, kept with this message.
    if (!key.reservationId || !reservation.customerId) {
      throw new Error(`a ${event.event.case} event without a reservation id or a customer id`);
    }

    if ((await deps.store.find(key))?.state === "sent") {
      log.info("e-mail already sent; nothing to do");
      return;
    }
    const asMailer = derive(ctx, { principal: await deps.principal(ctx) });
    const customer = await deps.identity.getCustomer(asMailer, { customerId: reservation.customerId }).catch((e: unknown) => {
      if (e instanceof KitError && e.code === Code.NotFound) {
        // No address to write to. Retried, then dead-lettered with this error, where operators see it
        // (a silent skip would lose the e-mail without a trace but a log line).
        throw new Error(`customer ${reservation.customerId} is unknown to identity (NOT_FOUND): no address for the ${kind} e-mail`);
      }
      throw e;
    });
    const email = renderEmail(kind, reservation, customer.displayName);
    const messageId = messageIdOf(kind, key.reservationId);

    const attempt = await deps.store.startAttempt(key, messageId, email.subject);
    if (attempt === undefined) {
      log.info("e-mail already sent; nothing to do");
      return;
    }
    if (attempt > 1) {
      log.warn(
        { attempt, message_id: messageId },
        "sending again: an earlier attempt may have reached the server; a duplicate carries the same Message-ID",
      );
    }
    const sent = await deps.store.sendOnce(key, () =>
      deps.sender.send(ctx, { messageId, to: { name: customer.displayName, address: customer.email }, ...email }),
    );
    if (sent) log.info({ attempt, message_id: messageId }, "e-mail sent");
    else log.info("e-mail already sent by another delivery; nothing to do");
  };
}

export interface NotifierSubscriptionOptions {
  /** Deliveries before a message goes to the dead letters. */
  maxAttempts: number;
  backoff?: (attempt: number) => number;
}

/** Subscribes the notifier as group "mailer" to ReservationEvent's topic. */
export function subscribeNotifier(
  bus: Bus,
  handler: MessageHandler<ReservationEvent>,
  opts: NotifierSubscriptionOptions,
): Promise<Subscription> {
  return bus.subscribe({
    topic: topicOf(ReservationEventSchema),
    group: MAILER_GROUP,
    handler,
    maxAttempts: opts.maxAttempts,
    backoff: opts.backoff ?? defaultBackoff,
  });
}
