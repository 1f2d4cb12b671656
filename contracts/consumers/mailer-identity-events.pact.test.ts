// mailer ← identity's events: what the mailer's account e-mails
// (services/mailer/account-emails.ts, group "mailer" on "identity.accounts")
// need of EmailVerificationRequested and SignUpForExistingAccount, written by
// running the handler on the message Pact hands over, with the fixture of
// the mailer's own tests (services/mailer/fixture.ts): a real SMTP server
// in-process, a fake identity that knows customer c-0001.
//
// Both read the customer id (the address, from identity) and the event's own
// id (the Message-ID); the verification also reads the link's token and its
// expiry, which the e-mail states.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { AccountEventSchema } from "../../gen/itinera/identity/v1/events_pb.js";
import { testTokens } from "../../services/identity/testing.js";
import { accountEmails, ACCOUNTS_GROUP } from "../../services/mailer/account-emails.js";
import { CUSTOMER, mailerFixture, type MailerFixture } from "../../services/mailer/fixture.js";
import { delivered, messagePact, onTopic, timestampString, type MessagePact, type PactMessage } from "../messages.js";
import { Matchers } from "../pact.js";
import { topicOf } from "../../endpoints/bus.js";

const { like, regex } = Matchers;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const TOKEN = "c2lnbi11cC1saW5rLXRva2VuLWZyb20taWRlbnRpdHk";

let pact: MessagePact;
let f: MailerFixture;
let handle: ReturnType<typeof accountEmails>;

test.before(async () => {
  pact = await messagePact("mailer", "identity-events");
  f = await mailerFixture();
  const principal = await (await testTokens()).service("mailer");
  handle = accountEmails({ store: f.store, identity: f.identity.client, sender: f.sender, principal: async () => principal, webPublicUrl: "http://127.0.0.1:8080" });
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

/** The handler on the message Pact hands over; answers the one e-mail it sent with this Message-ID. */
async function mailed(messageId: string, m: PactMessage) {
  const { message, meta } = delivered(AccountEventSchema, m, ACCOUNTS_GROUP);
  await handle(f.ctx, message, meta);
  const sent = f.smtp.deliveries.filter((d) => d.messageId === messageId);
  assert.is(sent.length, 1, `one e-mail ${messageId}`);
  assert.equal(sent[0]!.rcptTo, [CUSTOMER.email]);
  return sent[0]!;
}

test("a sign-up of a new address: the link that confirms it, and until when it works", async () => {
  const verificationId = "6b1f7c2e-3d4a-4e5f-8a9b-0c1d2e3f4a5b";
  const email = await pact
    .interaction()
    .given("a new address signed up", { customerId: CUSTOMER.customerId })
    .expectsToReceive("a sign-up's verification link", (m) =>
      m
        .withJSONContent({
          emailVerificationRequested: {
            customerId: like(CUSTOMER.customerId),
            verificationId: regex(UUID, verificationId),
            token: regex(/^[A-Za-z0-9_-]{20,}$/, TOKEN),
            expireTime: timestampString("2026-12-08T10:30:00Z"),
          },
        })
        .withMetadata(onTopic(topicOf(AccountEventSchema).name, like(CUSTOMER.customerId))),
    )
    .executeTest((m) => mailed(`<verify.${verificationId}@itinera.example>`, m));
  assert.ok(email?.text.includes(`http://127.0.0.1:8080/verify?token=${TOKEN}`));
  assert.match(email!.text, /until 2026-12-08 10:30 UTC/);
});

test("a sign-up of a registered address: its owner is told", async () => {
  const attemptId = "0a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d";
  const email = await pact
    .interaction()
    .given("a registered address signed up again", { customerId: CUSTOMER.customerId })
    .expectsToReceive("a sign-up for an existing account", (m) =>
      m
        .withJSONContent({ signUpForExistingAccount: { customerId: like(CUSTOMER.customerId), attemptId: regex(UUID, attemptId) } })
        .withMetadata(onTopic(topicOf(AccountEventSchema).name, like(CUSTOMER.customerId))),
    )
    .executeTest((m) => mailed(`<signup-attempt.${attemptId}@itinera.example>`, m));
  assert.is(email?.subject, "Someone tried to create an account with your address");
});

test("the pact is the committed contracts/pacts/mailer-identity-events.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
