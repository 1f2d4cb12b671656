// The account e-mails against real PostgreSQL, a real SMTP server in-process
// and the real bus: the sign-up link to the customer's address (found at
// identity as the mailer), the note to the owner of an existing account, one
// e-mail however often the event arrives, nothing recorded when SMTP fails,
// and no address, name or token in a log line.
import { create } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";
import { rejection } from "../../endpoints/testing.js";
import { AccountEventSchema, type AccountEvent } from "../../gen/itinera/identity/v1/events_pb.js";
import { waitFor } from "../../transport/bus/database.fixture.js";
import { testTokens } from "../identity/testing.js";
import { accountEmails, ACCOUNTS_GROUP, subscribeAccountEmails } from "./account-emails.js";
import { CUSTOMER, mailerFixture, type MailerFixture } from "./fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";

let f: MailerFixture;
let handle: ReturnType<typeof accountEmails>;
// Far above the ids the real bus gives its messages (the "through the bus" test shares the inbox).
let messageIds = 1_000_000n;
const TOKEN = "Zm9sbG93LXRoaXMtbGluay10by1zaWduLWluLW9uY2U";

test.before(async () => {
  f = await mailerFixture();
  const principal = await (await testTokens()).service("mailer");
  handle = accountEmails({
    store: f.store,
    identity: f.identity.client,
    sender: f.sender,
    principal: async () => principal,
    webPublicUrl: "http://shop.example.test:8080",
  });
});
test.after(async () => {
  await f?.close();
});

const meta = (messageId = ++messageIds): DeliveryMeta => ({
  messageId,
  topic: topicOf(AccountEventSchema).name,
  key: CUSTOMER.customerId,
  group: ACCOUNTS_GROUP,
  attempt: 1,
  publishedAt: new Date(),
});

const verification = (verificationId: string): AccountEvent =>
  create(AccountEventSchema, {
    event: {
      case: "emailVerificationRequested",
      value: { customerId: CUSTOMER.customerId, verificationId, token: TOKEN, expireTime: timestampFromDate(new Date("2026-12-08T10:30:00Z")) },
    },
  });

const attempt = (attemptId: string): AccountEvent =>
  create(AccountEventSchema, { event: { case: "signUpForExistingAccount", value: { customerId: CUSTOMER.customerId, attemptId } } });

const deliveriesOf = (id: string) => f.smtp.deliveries.filter((d) => d.messageId.includes(id));

test("a verification: the link to <web>/verify?token=… goes to the customer's address, found at identity as the mailer", async () => {
  await handle(f.ctx, verification("v-1"), meta());
  const [mail, ...more] = deliveriesOf("v-1");
  assert.is(more.length, 0);
  assert.is(mail!.messageId, "<verify.v-1@itinera.example>");
  assert.equal(mail!.rcptTo, [CUSTOMER.email]);
  assert.is(mail!.subject, "Confirm your address to finish signing up");
  assert.ok(mail!.text.includes(`http://shop.example.test:8080/verify?token=${TOKEN}`), mail!.text);
  assert.ok(mail!.text.includes("until 2026-12-08 10:30 UTC"));
  assert.ok(mail!.html.includes(`/verify?token=${TOKEN}`));
  assert.equal(f.identity.calls.at(-1), { kind: "service", id: "mailer", roles: [], token: f.identity.calls.at(-1)!.token });
});

test("a sign-up for an existing account: the owner is told, and told to sign in", async () => {
  await handle(f.ctx, attempt("a-1"), meta());
  const [mail] = deliveriesOf("a-1");
  assert.is(mail!.messageId, "<signup-attempt.a-1@itinera.example>");
  assert.equal(mail!.rcptTo, [CUSTOMER.email]);
  assert.is(mail!.subject, "Someone tried to create an account with your address");
  assert.match(mail!.text, /simply sign in/);
  assert.not.match(mail!.text, /verify\?token/);
});

test("the same message delivered again, or twice at once: one e-mail", async () => {
  const m = meta();
  await Promise.all([handle(f.ctx, verification("v-2"), m), handle(f.ctx, verification("v-2"), m)]);
  await handle(f.ctx, verification("v-2"), m);
  assert.is(deliveriesOf("v-2").length, 1);
});

test("SMTP refuses: the handler throws (the bus retries), nothing is recorded, the retry sends", async () => {
  const m = meta();
  f.smtp.mode = "reject";
  try {
    await rejection(handle(f.ctx, verification("v-3"), m));
  } finally {
    f.smtp.mode = "accept";
  }
  assert.is(await f.store.accountEmailSent(m), false);
  await handle(f.ctx, verification("v-3"), m);
  assert.is(deliveriesOf("v-3").length, 1);
  assert.is(await f.store.accountEmailSent(m), true);
});

test("through the bus: an event published by identity becomes one e-mail", async () => {
  const sub = await subscribeAccountEmails(f.bus, handle, { maxAttempts: 3, backoff: () => 50 });
  try {
    await f.busDb.knex.transaction((trx) => f.bus.publish(postgresOutbox(trx), topicOf(AccountEventSchema), CUSTOMER.customerId, verification("v-bus")));
    await waitFor("the e-mail of the published event", () => deliveriesOf("v-bus").length === 1);
  } finally {
    await sub.stop();
  }
});

test("no log line holds the address, the name or the link's token", async () => {
  assert.ok(f.logLines.some((l) => l.msg === "account e-mail sent"));
  const all = JSON.stringify(f.logLines).toLowerCase();
  for (const secret of [CUSTOMER.email, CUSTOMER.displayName, TOKEN]) assert.not.ok(all.includes(secret.toLowerCase()), secret);
});

test.run();
