// ListPendingPayments on real PostgreSQL: PENDING payments older than the
// threshold, oldest first — by default half of the expiry (PAYMENT_EXPIRE_MS
// / 2), or the operator's own — page by page without repeats; decided and
// young payments are left out; the answer carries ids, amounts and times,
// nothing of the card page or the customer's address; only operators may
// ask; bad input is INVALID_ARGUMENT, on a direct call too.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { access } from "../../endpoints/middleware/access.js";
import { validation } from "../../endpoints/middleware/validation.js";
import { localClient, type Client, type Service } from "../../endpoints/service.js";
import { PaymentService, type ListPendingPaymentsRequest } from "../../gen/itinera/payment/v1/payment_pb.js";
import { failure, paymentFixture, TEST_PAGE_TOKEN_SECRET, type PaymentFixture } from "./fixture.js";
import { hotelPayment, TEST_QUOTING } from "./payments.fixture.js";
import { paymentService } from "./service.js";
import { paymentValidators } from "./validators.js";

const EXPIRE_MS = 15 * 60_000;
const MINUTE = 60_000;
let f: PaymentFixture;
let service: Service<typeof PaymentService>;
let client: Client<typeof PaymentService>;
/** Payment ids by the age in minutes they were given. */
const aged = new Map<number, string>();
/** The instant the ages count back from. */
let now = 0;

const operator = () => backgroundContext({ log: f.log, principal: { kind: "customer", id: "olivia", roles: ["customer", "operator"] } });
const tool = () => backgroundContext({ log: f.log, principal: { kind: "service", id: "operator", roles: [] } });
const ids = (res: { payments: { paymentId: string }[] }) => res.payments.map((p) => p.paymentId);

test.before(async () => {
  f = await paymentFixture();
  // Its clock stands at the instant the ages count back from: however long the tests take, a payment
  // made 9 minutes before it stays younger than a 10-minute threshold.
  service = paymentService({
    store: f.store,
    gateway: f.gateway,
    callbackUrl: "http://payment.test/callbacks/gateway",
    ...TEST_QUOTING,
    pageTokenSecret: TEST_PAGE_TOKEN_SECRET,
    pendingAfterMs: EXPIRE_MS / 2,
    now: () => new Date(now),
  });
  client = localClient(PaymentService, service, access(), validation(paymentValidators(TEST_QUOTING.validation)));
  now = Date.now();
  for (const minutes of [20, 9, 17, 30, 8, 2]) {
    const { payment } = await f.client.makePayment(f.as("alice"), hotelPayment("alice", `pending-${minutes}`, 2500n));
    aged.set(minutes, payment!.paymentId);
    await f.database.knex("payments").where({ payment_id: payment!.paymentId }).update({ create_time: new Date(now - minutes * MINUTE) });
  }
  // Decided long ago: not pending, whatever its age.
  await f.database.knex("payments").where({ payment_id: aged.get(30)! }).update({ state: "declined", decline_reason: "Insufficient funds." });
});
test.after(async () => {
  await f.close();
});

test("by default, pending for longer than half the expiry (7.5 min of 15), oldest first; ids, amounts and times only", async () => {
  const res = await client.listPendingPayments(operator(), {});
  assert.is(res.olderThanSeconds, 450);
  assert.equal(ids(res), [aged.get(20), aged.get(17), aged.get(9), aged.get(8)]);
  assert.is(res.nextPageToken, "");
  const [oldest] = res.payments;
  assert.equal(Object.keys(oldest!).filter((k) => !k.startsWith("$")).sort(), ["amount", "createTime", "customerId", "paymentId", "sessionOpened"]);
  assert.equal([oldest!.customerId, oldest!.amount?.amountMinor, oldest!.amount?.currency, oldest!.sessionOpened], ["alice", 2500n, "EUR", true]);
  assert.is(Number(oldest!.createTime!.seconds), Math.floor((now - 20 * MINUTE) / 1000), "its creation time");
});

test("the operator's own threshold, and pages of two without repeats", async () => {
  assert.equal(ids(await client.listPendingPayments(tool(), { olderThanSeconds: 60 })), [20, 17, 9, 8, 2].map((m) => aged.get(m)));
  assert.equal(ids(await client.listPendingPayments(tool(), { olderThanSeconds: 10 * 60 })), [aged.get(20), aged.get(17)]);
  const first = await client.listPendingPayments(tool(), { pageSize: 2 });
  const second = await client.listPendingPayments(tool(), { pageSize: 2, pageToken: first.nextPageToken });
  assert.equal([...ids(first), ...ids(second)], [20, 17, 9, 8].map((m) => aged.get(m)));
  assert.is(second.nextPageToken, "");
});

test("only operators: a customer without the role and another service are refused", async () => {
  assert.is((await failure(client.listPendingPayments(f.as("alice"), {}))).code, Code.PermissionDenied);
  assert.is((await failure(client.listPendingPayments(f.asService("booking"), {}))).code, Code.PermissionDenied);
});

test("bad input is INVALID_ARGUMENT naming the field, through the middleware and on a direct call", async () => {
  const { nextPageToken } = await client.listPendingPayments(tool(), { olderThanSeconds: 60, pageSize: 1 });
  assert.ok(nextPageToken !== "");
  const bad: Array<[{ olderThanSeconds?: number; pageSize?: number; pageToken?: string }, string]> = [
    [{ olderThanSeconds: 7 * 24 * 3600 + 1 }, "older_than_seconds"],
    [{ pageSize: 101 }, "page_size"],
    [{ pageSize: -1 }, "page_size"],
    [{ pageToken: "not a token!" }, "page_token"],
    [{ pageToken: Buffer.from("res_1").toString("base64url") }, "page_token"],
    [{ pageToken: Buffer.from(aged.get(9)!).toString("base64url") }, "page_token"], // an unsigned payment id, as tokens were
    [{ olderThanSeconds: 600, pageToken: nextPageToken }, "page_token"], // another threshold's
  ];
  for (const [req, field] of bad) {
    const full = { $typeName: "itinera.payment.v1.ListPendingPaymentsRequest", olderThanSeconds: 0, pageSize: 0, pageToken: "", ...req } as ListPendingPaymentsRequest;
    for (const call of [client.listPendingPayments(operator(), req), service.listPendingPayments(operator(), full)]) {
      const e = await failure(call);
      assert.is(e.code, Code.InvalidArgument, JSON.stringify(req));
      assert.match(e.message, field);
    }
  }
});

test.run();
