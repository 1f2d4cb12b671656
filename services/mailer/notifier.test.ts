// The notifier against real PostgreSQL and a real SMTP server in-process:
// one e-mail per reservation event, however often the event arrives, when
// identity or the SMTP server fail, when two deliveries race, and through the
// bus; the crash window that remains, shown for what it is; no address or
// name in any log line.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { unavailable } from "../../endpoints/errors.js";
import { rejection } from "../../endpoints/testing.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";
import { waitFor } from "../../transport/bus/database.fixture.js";
import { CUSTOMER, mailerFixture, reservation, reservationEvent, type EventCase, type MailerFixture } from "./fixture.js";
import { MAILER_GROUP, messageIdOf, reservationNotifier, subscribeNotifier } from "./notifier.js";
import type { Sender } from "./smtp.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";

let f: MailerFixture;
let messageIds = 0n;

test.before(async () => {
  f = await mailerFixture();
});
test.after(async () => {
  await f?.close();
});

function meta(attempt = 1): DeliveryMeta {
  return { messageId: ++messageIds, topic: topicOf(ReservationEventSchema).name, key: "k", group: MAILER_GROUP, attempt, publishedAt: new Date() };
}

const deliver = (kind: EventCase, r = reservation()) => f.notifier(f.ctx, reservationEvent(kind, r), meta());
const deliveriesOf = (reservationId: string) => f.smtp.deliveries.filter((d) => d.messageId.includes(reservationId));

async function rows(reservationId: string) {
  const r = await f.db.knex.raw(`select kind, state, attempts, message_id from emails where reservation_id = ? order by kind`, [reservationId]);
  return r.rows as { kind: string; state: string; attempts: number; message_id: string }[];
}

test("confirmed: one invoice to the customer, with the reservation's Message-ID, recorded as sent; identity asked as the mailer", async () => {
  const r = reservation();
  const callsBefore = f.identity.calls.length;
  await deliver("confirmed", r);
  const [d, ...more] = deliveriesOf(r.reservationId);
  assert.equal(more, []);
  assert.is(d!.messageId, `<invoice.${r.reservationId}@itinera.example>`);
  assert.is(d!.messageId, messageIdOf("invoice", r.reservationId));
  assert.equal(d!.rcptTo, [CUSTOMER.email]);
  assert.is(d!.to, `"${CUSTOMER.displayName}" <${CUSTOMER.email}>`);
  assert.is(d!.from, `"Itinera" <bookings@itinera.example>`);
  assert.is(d!.subject, "Your booking is confirmed: Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.match(d!.text, /Charged to your card:\s+EUR 270\.00/);
  assert.ok(d!.html.includes("EUR 270.00"), d!.html);
  assert.equal(await rows(r.reservationId), [{ kind: "invoice", state: "sent", attempts: 1, message_id: d!.messageId }]);
  const calls = f.identity.calls.slice(callsBefore);
  assert.equal(calls.map((p) => [p?.kind, p?.id]), [["service", "mailer"]]);
});

test("a redelivered event whose e-mail was sent sends nothing, and does not even ask identity", async () => {
  const r = reservation();
  await deliver("cancelled", r);
  const calls = f.identity.calls.length;
  await deliver("cancelled", r);
  await deliver("cancelled", r);
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.is(f.identity.calls.length, calls);
  assert.equal((await rows(r.reservationId)).map((x) => [x.kind, x.state, x.attempts]), [["cancellation", "sent", 1]]);
});

test("paid: no e-mail, no row, no call to identity", async () => {
  const r = reservation();
  const calls = f.identity.calls.length;
  await deliver("paid", r);
  assert.equal(deliveriesOf(r.reservationId), []);
  assert.equal(await rows(r.reservationId), []);
  assert.is(f.identity.calls.length, calls);
});

test("one reservation's invoice, apology and cancellation are three e-mails with three Message-IDs", async () => {
  const r = reservation();
  await deliver("confirmed", r);
  await deliver("failed", r);
  await deliver("cancelled", r);
  assert.equal(
    deliveriesOf(r.reservationId).map((d) => d.messageId),
    ["invoice", "apology", "cancellation"].map((k) => `<${k}.${r.reservationId}@itinera.example>`),
  );
  assert.equal((await rows(r.reservationId)).map((x) => x.kind), ["apology", "cancellation", "invoice"]);
});

test("identity failing: the handler throws (the bus retries), nothing is recorded or sent; the retry sends once", async () => {
  const r = reservation();
  f.identity.failure = unavailable("identity is down");
  try {
    const e = await rejection(deliver("confirmed", r));
    assert.match(String(e), /identity is down/);
  } finally {
    f.identity.failure = undefined;
  }
  assert.equal(await rows(r.reservationId), []);
  assert.equal(deliveriesOf(r.reservationId), []);
  await deliver("confirmed", r);
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sent", 1]]);
});

test("the SMTP server refusing (451): throws without the address, stays 'sending'; the retry delivers once (attempt 2)", async () => {
  const r = reservation();
  f.smtp.mode = "reject";
  let e: unknown;
  try {
    e = await rejection(deliver("failed", r));
  } finally {
    f.smtp.mode = "accept";
  }
  assert.match(String(e), /SMTP send failed .*451/);
  assert.not.ok(String(e).includes(CUSTOMER.email), String(e));
  assert.ok(String(e).includes("<address>"), String(e));
  assert.equal(deliveriesOf(r.reservationId), []);
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sending", 1]]);
  await deliver("failed", r);
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sent", 2]]);
});

test("the remaining window: death after the server accepted, before the commit → sent again, same Message-ID, attempts 2", async () => {
  const r = reservation();
  // The process "dies" the instant the server has accepted: the send resolves, then nothing of ours runs.
  const dying: Sender = {
    send: async (ctx, mail) => {
      await f.sender.send(ctx, mail);
      throw new Error("killed after the server accepted");
    },
    close: () => {},
  };
  const principal = f.identity.calls.find((p) => p !== undefined)!;
  const crashing = reservationNotifier({ store: f.store, identity: f.identity.client, sender: dying, principal: async () => principal });
  await rejection(crashing(f.ctx, reservationEvent("confirmed", r), meta()));
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sending", 1]]);
  await deliver("confirmed", r); // the redelivery
  const sent = deliveriesOf(r.reservationId);
  assert.is(sent.length, 2, "the duplicate this window allows");
  assert.is(sent[0]!.messageId, sent[1]!.messageId, "recognisable: the same Message-ID");
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sent", 2]]);
  await deliver("confirmed", r); // and from now on, nothing more
  assert.is(deliveriesOf(r.reservationId).length, 2);
});

test("two deliveries of one event at once: one e-mail (the second waits on the row's lock, then finds it sent)", async () => {
  const r = reservation();
  f.smtp.mode = "hold";
  const first = deliver("confirmed", r);
  first.catch(() => {}); // awaited below
  try {
    await waitFor("the first send to reach the server", () => f.smtp.holding === 1);
    const second = deliver("confirmed", r);
    second.catch(() => {});
    await waitFor("the second delivery to wait on the row's lock", async () => {
      const q = await f.db.knex.raw(`select count(*)::int as n from pg_stat_activity where datname = current_database() and wait_event_type = 'Lock'`);
      return q.rows[0].n === 1;
    });
    f.smtp.mode = "accept";
    f.smtp.release();
    await Promise.all([first, second]);
  } finally {
    f.smtp.mode = "accept";
    f.smtp.release();
  }
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.equal((await rows(r.reservationId)).map((x) => [x.state, x.attempts]), [["sent", 1]]);
});

test("through the bus (group mailer): an event published twice and a paid event → one invoice, and the group is drained", async () => {
  const r = reservation();
  const sub = await subscribeNotifier(f.bus, f.notifier, { maxAttempts: 3, backoff: () => 0 });
  try {
    const publish = (kind: EventCase) => f.bus.publish(postgresOutbox(f.busDb.knex), topicOf(ReservationEventSchema), r.reservationId, reservationEvent(kind, r));
    await publish("paid");
    await publish("confirmed");
    await publish("confirmed");
    await waitFor("the group to handle every message", async () => {
      const left = await f.busDb.knex.raw(`select count(*)::int as n from bus.deliveries where group_name = ? and key = ?`, [MAILER_GROUP, r.reservationId]);
      return left.rows[0].n === 0;
    });
  } finally {
    await sub.stop();
  }
  assert.equal(deliveriesOf(r.reservationId).map((d) => d.messageId), [messageIdOf("invoice", r.reservationId)]);
});

test("a customer identity does not know: retried, then dead-lettered with the reason; nothing recorded or sent", async () => {
  const r = reservation({ customerId: "c-unknown" });
  const sub = await subscribeNotifier(f.bus, f.notifier, { maxAttempts: 2, backoff: () => 0 });
  let dead: { attempts: number; last_error: string } | undefined;
  try {
    await f.bus.publish(postgresOutbox(f.busDb.knex), topicOf(ReservationEventSchema), r.reservationId, reservationEvent("confirmed", r));
    await waitFor("the dead letter", async () => {
      const q = await f.busDb.knex.raw(`select attempts, last_error from bus.dead_letters where group_name = ? and key = ?`, [MAILER_GROUP, r.reservationId]);
      dead = q.rows[0];
      return dead !== undefined;
    });
  } finally {
    await sub.stop();
  }
  assert.is(dead!.attempts, 2);
  assert.match(dead!.last_error, /customer c-unknown is unknown to identity \(NOT_FOUND\)/);
  assert.equal(await rows(r.reservationId), []);
  assert.equal(deliveriesOf(r.reservationId), []);
});

test("no log line of the notifier or the bus holds the customer's address or name", () => {
  assert.ok(f.logLines.length > 10, `${f.logLines.length} lines`);
  assert.ok(f.logLines.some((l) => l.msg === "e-mail sent" && typeof l.message_id === "string"));
  for (const line of f.logLines) {
    const text = JSON.stringify(line);
    assert.not.ok(text.includes(CUSTOMER.email) || text.includes("ana.lima"), text);
    assert.not.ok(text.includes(CUSTOMER.displayName), text);
  }
});

test.run();
