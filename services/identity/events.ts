// What identity publishes (proto/itinera/identity/v1/events.proto), inside
// the outbox of the sign-up's transaction, on AccountEvent's topic, keyed by
// the customer id. The mailer writes the e-mails.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { topicOf, type Bus, type Outbox } from "../../endpoints/bus.js";
import type { Context } from "../../endpoints/context.js";
import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";

export const ACCOUNTS = topicOf(AccountEventSchema);

/** The publishing half of the bus: all identity needs. */
export type Publisher = Pick<Bus, "publish">;

export interface VerificationLink {
  customerId: string;
  verificationId: string;
  token: string;
  expireTime: Date;
}

export function publishVerificationRequested(bus: Publisher, outbox: Outbox, ctx: Context, link: VerificationLink): Promise<bigint> {
  const event = create(AccountEventSchema, {
    event: {
      case: "emailVerificationRequested",
      value: { customerId: link.customerId, verificationId: link.verificationId, token: link.token, expireTime: timestampFromDate(link.expireTime) },
    },
  });
  return bus.publish(outbox, ACCOUNTS, link.customerId, event, ctx);
}

export function publishSignUpForExistingAccount(
  bus: Publisher,
  outbox: Outbox,
  ctx: Context,
  customerId: string,
  attemptId: string,
): Promise<bigint> {
  const event = create(AccountEventSchema, { event: { case: "signUpForExistingAccount", value: { customerId, attemptId } } });
  return bus.publish(outbox, ACCOUNTS, customerId, event, ctx);
}
