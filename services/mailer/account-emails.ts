// The mailer's consumer of identity's account events (group "mailer" on
// AccountEvent's topic): the e-mail a sign-up calls for, since its answer
// never says whether the address has an account —
//   - EmailVerificationRequested: the link that confirms the address and
//     signs in (<WEB_PUBLIC_URL>/verify?token=…, valid 24 hours);
//   - SignUpForExistingAccount: "someone tried to create an account with
//     your address; if it was you, sign in".
// The address comes from identity.GetCustomer, asked as the mailer itself.
// One e-mail per event: the bus message's id is the idempotency record
// (store.ts sendAccountEmailOnce), and the Message-ID is derived from the
// event's own id, so a rare duplicate is recognisable. No address, name or
// token reaches a log line.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import type { Context, Principal } from "../../endpoints/context.js";
import { derive } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import { topicOf, defaultBackoff, type Bus, type MessageHandler, type Subscription } from "../../endpoints/bus.js";
import { AccountEventSchema, type AccountEvent } from "../../gen/itinera/identity/v1/events_pb.js";
import type { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import type { Sender } from "./smtp.js";
import type { EmailStore } from "./store.js";
import { layout, type Content } from "./templates.js";

export const ACCOUNTS_GROUP = "mailer";

export interface AccountEmailDeps {
  store: EmailStore;
  identity: Client<typeof IdentityService>;
  sender: Sender;
  principal: (ctx: Context) => Promise<Principal>;
  /** Where the browser reaches the web app (WEB_PUBLIC_URL): the link points at <this>/verify. */
  webPublicUrl: string;
}

/** What an account event calls for: to whom, the Message-ID, and the content; undefined for nothing. */
export function accountEmailFor(
  event: AccountEvent,
  webPublicUrl: string,
): { customerId: string; messageId: string; content: Content } | undefined {
  const e = event.event;
  switch (e.case) {
    case "emailVerificationRequested": {
      const link = new URL("/verify", webPublicUrl);
      link.searchParams.set("token", e.value.token);
      const until = e.value.expireTime ? timestampDate(e.value.expireTime).toISOString().slice(0, 16).replace("T", " ") : undefined;
      return {
        customerId: e.value.customerId,
        messageId: `<verify.${e.value.verificationId}@itinera.example>`,
        content: {
          subject: "Confirm your address to finish signing up",
          intro: ["Welcome to Itinera! To finish creating your account, confirm this is your address by opening this link:", link.toString()],
          details: [],
          amounts: [],
          outro: [
            `The link works once${until ? `, until ${until} UTC` : ""}. It signs you in with the password you chose.`,
            "If you did not sign up, ignore this e-mail: no account is created without it.",
          ],
        },
      };
    }
    case "signUpForExistingAccount":
      return {
        customerId: e.value.customerId,
        messageId: `<signup-attempt.${e.value.attemptId}@itinera.example>`,
        content: {
          subject: "Someone tried to create an account with your address",
          intro: ["Someone just tried to create a new Itinera account with this e-mail address, which already has an account."],
          details: [],
          amounts: [],
          outro: [
            "If it was you: you already have an account, so simply sign in (you can use the password you have always used).",
            "If it was not you, nothing changed: your account and your password are as they were.",
          ],
        },
      };
    default:
      // An event this build does not know: nothing to send.
      return undefined;
  }
}

export function accountEmails(deps: AccountEmailDeps): MessageHandler<AccountEvent> {
  return async (ctx, event, meta) => {
    const wanted = accountEmailFor(event, deps.webPublicUrl);
    if (!wanted) return;
    const log = ctx.log.child({ message_id: wanted.messageId });
    if (!wanted.customerId) throw new Error(`an account event (${event.event.case}) without a customer id`);
    if (await deps.store.accountEmailSent(meta)) {
      log.info("account e-mail already sent; nothing to do");
      return;
    }
    const asMailer = derive(ctx, { principal: await deps.principal(ctx) });
    const customer = await deps.identity.getCustomer(asMailer, { customerId: wanted.customerId });
    const email = layout(wanted.content, customer.displayName);
    const sent = await deps.store.sendAccountEmailOnce(meta, () =>
      deps.sender.send(ctx, { messageId: wanted.messageId, to: { name: customer.displayName, address: customer.email }, ...email }),
    );
    log.info(sent ? "account e-mail sent" : "account e-mail already sent by another delivery; nothing to do");
  };
}

export function subscribeAccountEmails(
  bus: Bus,
  handler: MessageHandler<AccountEvent>,
  opts: { maxAttempts: number; backoff?: (attempt: number) => number },
): Promise<Subscription> {
  return bus.subscribe({
    topic: topicOf(AccountEventSchema),
    group: ACCOUNTS_GROUP,
    handler,
    maxAttempts: opts.maxAttempts,
    backoff: opts.backoff ?? defaultBackoff,
  });
}
