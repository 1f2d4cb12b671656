// The Operator page's API through the real BFF server, signed in with cookies
// as a browser is: a person with the operator role sees the sellers' health
// and every process's dead letters (one that does not answer is named, the
// others shown), and replays or discards one on the process that holds it —
// each call carrying the PERSON's token, never the BFF's; booking's chart counts and
// payment's long-pending payments reach the page the same way; a traveller, a
// visitor and a bad request are refused before anything is called.
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { DeadLetter } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { Browser } from "../../transport/browser.fixture.js";
import { ReservationState } from "../../gen/itinera/booking/v1/booking_pb.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { addPayment, addReservation } from "./fakes.fixture.js";
import { signedUpBrowser, startWebHarness, type WebHarness } from "./harness.fixture.js";

let h: WebHarness;
let operator: Browser;
let traveller: Browser;
test.before(async () => {
  h = await startWebHarness();
  h.world.operators.add("cus_olivia");
  operator = (await signedUpBrowser(h, "Olivia")).browser;
  traveller = (await signedUpBrowser(h, "Tom")).browser;
});
test.after(async () => {
  await h?.close();
});

const calls = (method: string) => h.world.calls.filter((c) => c.method === method);
const letter = (group: string, messageId: bigint, failSeconds: bigint) =>
  ({ group, topic: "payment.authorisations", key: "pay_1", messageId, type: "x", attempts: 5, lastError: "boom", failTime: { seconds: failSeconds, nanos: 0 } }) as unknown as DeadLetter;

test("GetSession tells the app who is an operator (from the verified token)", async () => {
  assert.is((await operator.call("GetSession")).body.customer.operator, true);
  assert.is((await traveller.call("GetSession")).body.customer.operator, undefined);
});

test("an operator sees the sellers' health, asked of sellers with the person's own token", async () => {
  const res = await operator.call("ListSellerHealth", {});
  assert.is(res.status, 200, JSON.stringify(res.body));
  const skylark = res.body.sellers.find((s: { sellerId: string }) => s.sellerId === "skylark");
  assert.equal([skylark.breakerState, skylark.recentErrors[0].message, skylark.lastSync.ok], ["open", "skylark answered 500", undefined]);
  const asked = calls("sellers.ListSellers").at(-1)!;
  assert.equal([asked.principal?.kind, asked.principal?.id, asked.principal?.roles], ["customer", "cus_olivia", ["customer", "operator"]]);
});

test("dead letters of every process, oldest failure first; one that does not answer is named, the others shown", async () => {
  h.world.deadLetters.set("booking", [letter("booking-settlement", 7n, 300n)]);
  h.world.deadLetters.set("mailer", [letter("mailer", 3n, 100n), letter("mailer", 4n, 400n)]);
  h.world.deadLetterProcessesDown.add("pricing");
  try {
    const res = await operator.call("ListOperatorDeadLetters", {});
    assert.is(res.status, 200, JSON.stringify(res.body));
    assert.equal(
      res.body.deadLetters.map((d: { process: string; deadLetter: { messageId: string } }) => `${d.process}:${d.deadLetter.messageId}`),
      ["mailer:3", "booking:7", "mailer:4"],
    );
    assert.equal(res.body.unreachable, ["pricing"]);
    for (const process of ["booking", "mailer", "payment", "sellers"]) {
      assert.is(calls(`${process}.ListDeadLetters`).at(-1)?.principal?.id, "cus_olivia", `${process} asked with the person's token`);
    }
  } finally {
    h.world.deadLetterProcessesDown.delete("pricing");
  }
});

test("Replay and Discard go to the process that holds the letter, as the person; a second answers NOT_FOUND", async () => {
  h.world.deadLetters.set("mailer", [letter("mailer", 3n, 100n), letter("mailer", 4n, 400n)]);
  const replay = await operator.call("ReplayOperatorDeadLetter", { process: "mailer", group: "mailer", messageId: "3" });
  assert.is(replay.status, 200, JSON.stringify(replay.body));
  assert.equal(calls("mailer.ReplayDeadLetter").at(-1)?.principal?.id, "cus_olivia");
  const again = await operator.call("ReplayOperatorDeadLetter", { process: "mailer", group: "mailer", messageId: "3" });
  assert.equal([again.status, again.body.code], [404, "not_found"]);
  const discard = await operator.call("DiscardOperatorDeadLetter", { process: "mailer", group: "mailer", messageId: "4" });
  assert.is(discard.status, 200, JSON.stringify(discard.body));
  assert.equal(h.world.deadLetters.get("mailer"), []);
});

test("bookings by state over time and the payments pending too long: booking's and payment's answers, asked as the person", async () => {
  addPayment(h.world, "pay_op_1", "cus_tom", PaymentState.AUTHORISED);
  addReservation(h.world, "pay_op_1", ReservationState.CONFIRMED);
  addPayment(h.world, "pay_op_2", "cus_tom", PaymentState.PENDING, { createTime: timestampFromDate(new Date(1_800_000_000_000)) });
  const stats = await operator.call("GetOperatorBookingStats", { windowHours: 2, bucketMinutes: 60 });
  assert.is(stats.status, 200, JSON.stringify(stats.body));
  assert.equal([stats.body.bucketMinutes, stats.body.buckets.length, stats.body.buckets[1].confirmed], [60, 2, 1]);
  const askedStats = calls("booking.CountReservationsByState").at(-1)!;
  assert.equal([askedStats.principal?.id, askedStats.request], ["cus_olivia", { $typeName: "itinera.booking.v1.CountReservationsByStateRequest", windowHours: 2, bucketMinutes: 60 }]);

  const pending = await operator.call("ListOperatorPendingPayments", { pageSize: 10 });
  assert.is(pending.status, 200, JSON.stringify(pending.body));
  assert.equal(
    pending.body.payments.map((p: { paymentId: string; customerId: string }) => `${p.paymentId} ${p.customerId}`),
    ["pay_op_2 cus_tom"],
  );
  assert.is(pending.body.olderThanSeconds, 450);
  assert.is(calls("payment.ListPendingPayments").at(-1)?.principal?.id, "cus_olivia");
});

test("a traveller and a visitor are refused, a bad request is INVALID_ARGUMENT: nothing is called", async () => {
  h.world.deadLetters.set("mailer", [letter("mailer", 5n, 100n)]);
  const before = h.world.calls.length;
  for (const method of ["ListSellerHealth", "ListOperatorDeadLetters", "GetOperatorBookingStats", "ListOperatorPendingPayments"]) {
    const res = await traveller.call(method, {});
    assert.equal([res.status, res.body.code], [403, "permission_denied"], method);
    assert.match(res.body.message, /operator/);
  }
  const replay = await traveller.call("ReplayOperatorDeadLetter", { process: "mailer", group: "mailer", messageId: "5" });
  assert.equal([replay.status, replay.body.code], [403, "permission_denied"]);
  const visitor = new Browser(h.url);
  await visitor.call("GetSession");
  assert.is((await visitor.call("ListSellerHealth", {})).body.code, "unauthenticated");
  for (const bad of [
    { process: "", group: "mailer", messageId: "5" },
    { process: "mailer", group: "", messageId: "5" },
    { process: "mailer", group: "mailer", messageId: "0" },
    { process: "nowhere", group: "mailer", messageId: "5" },
  ]) {
    const res = await operator.call("ReplayOperatorDeadLetter", bad);
    assert.equal([res.status, res.body.code], [400, "invalid_argument"], JSON.stringify(bad));
  }
  assert.is((await operator.call("ListOperatorDeadLetters", { limitPerProcess: 101 })).body.code, "invalid_argument");
  assert.is((await operator.call("ListOperatorPendingPayments", { pageSize: 101 })).body.code, "invalid_argument");
  assert.is(h.world.calls.slice(before).filter((c) => !c.method.startsWith("identity.")).length, 0, "nothing called");
  assert.is(h.world.deadLetters.get("mailer")!.length, 1, "nothing replayed");
});

test.run();
