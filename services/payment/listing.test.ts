// ListPayments on real PostgreSQL through the validation middleware: a
// customer's own payments only, newest first, filtered by state, page after
// page without losing or repeating one while payments are made meanwhile;
// bad requests and tokens refused as INVALID_ARGUMENT, naming the field.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { signedCallback } from "./fake-gateway.fixture.js";
import { pageTokens } from "../../endpoints/page-tokens.js";
import { failure, paymentFixture, TEST_GATEWAY_SECRET, TEST_PAGE_TOKEN_SECRET, type PaymentFixture } from "./fixture.js";
import { paymentCursor } from "./list-cursor.js";
import { hotelPayment } from "./payments.fixture.js";

let f: PaymentFixture;
// One second per payment: create times are distinct, in the order they are made.
let clock = Date.now();
test.before(async () => {
  f = await paymentFixture({ now: () => new Date((clock += 1000)) });
});
test.after(async () => {
  await f.close();
});

let keys = 0;
async function pay(customerId: string, decision?: "authorised" | "declined" | "expired"): Promise<string> {
  const { payment } = await f.client.makePayment(f.as(customerId), hotelPayment(customerId, `key-${++keys}`, 10_000n));
  const paymentId = payment!.paymentId;
  if (decision === "expired") {
    await f.store.transaction((tx) => tx.setState(paymentId, { state: "expired" }, new Date(clock)));
  } else if (decision) {
    const body = f.gateway.decide(paymentId, decision);
    await f.callbacks.receive(f.asService("gateway"), signedCallback(TEST_GATEWAY_SECRET, body));
  }
  return paymentId;
}

const ids = (res: { payments: { paymentId: string }[] }) => res.payments.map((p) => p.paymentId);

/** Every page of the customer's list, following next_page_token (at most 20 pages). */
async function allPages(customerId: string, req: { pageSize: number; states?: PaymentState[] }, between?: () => Promise<unknown>) {
  const seen: string[] = [];
  let pageToken = "";
  for (let i = 0; i < 20; i++) {
    const res = await f.client.listPayments(f.as(customerId), { states: [], ...req, pageToken });
    assert.ok(res.payments.length <= req.pageSize, "no page longer than asked");
    seen.push(...ids(res));
    if (res.nextPageToken === "") return seen;
    pageToken = res.nextPageToken;
    await between?.();
  }
  throw new Error("more than 20 pages");
}

test("a customer's own payments, newest first, each state as it is; another customer's never", async () => {
  const declined = await pay("lea", "declined");
  const authorised = await pay("lea", "authorised");
  const expired = await pay("lea", "expired");
  const pending = await pay("lea");
  await pay("max", "declined");
  const res = await f.client.listPayments(f.as("lea"), { pageSize: 0, pageToken: "", states: [] });
  assert.equal(ids(res), [pending, expired, authorised, declined]);
  assert.equal(
    res.payments.map((p) => p.state),
    [PaymentState.PENDING, PaymentState.EXPIRED, PaymentState.AUTHORISED, PaymentState.DECLINED],
  );
  const refused = res.payments[3]!;
  assert.is(refused.declineReason, "The card was declined by its issuer.");
  assert.equal([refused.amount?.amountMinor, refused.amount?.currency], [10_000n, "EUR"]);
  assert.is(refused.item?.title, "Hotel Aurora, Lisbon — Double room, 3 nights");
  assert.is(res.nextPageToken, "");
  const someoneElse = await f.client.listPayments(f.as("nobody-yet"), { pageSize: 10, pageToken: "", states: [] });
  assert.equal(ids(someoneElse), []);
});

test("states filter: the payments that never became a reservation", async () => {
  const declined = await pay("noor", "declined");
  await pay("noor", "authorised");
  const expired = await pay("noor", "expired");
  const pending = await pay("noor");
  const states = [PaymentState.DECLINED, PaymentState.PENDING, PaymentState.EXPIRED];
  assert.equal(await allPages("noor", { pageSize: 2, states }), [pending, expired, declined]);
  assert.equal(await allPages("noor", { pageSize: 5, states: [PaymentState.AUTHORISED, PaymentState.DECLINED] }).then((s) => s.length), 2);
});

test("paging: every payment on exactly one page, also while new ones are made between pages", async () => {
  const made: string[] = [];
  for (let i = 0; i < 7; i++) made.unshift(await pay("olga", i % 3 === 0 ? "declined" : undefined));
  for (const pageSize of [1, 2, 3, 7, 100]) assert.equal(await allPages("olga", { pageSize }), made, `pages of ${pageSize}`);
  // Payments made while paging are newer than the cursor: they are on the first page of a new listing, not this one.
  const newer: string[] = [];
  const seen = await allPages("olga", { pageSize: 3 }, async () => newer.push(await pay("olga")));
  assert.equal(seen, made);
  assert.equal(await allPages("olga", { pageSize: 100 }), [...newer.reverse(), ...made]);
});

test("bad requests are INVALID_ARGUMENT naming each field", async () => {
  const bad = [
    { pageSize: 101, field: "page_size" },
    { pageSize: -1, field: "page_size" },
    { states: [PaymentState.UNSPECIFIED], field: "states[0]" },
    { states: [PaymentState.DECLINED, 42 as PaymentState], field: "states[1]" },
    { states: [PaymentState.DECLINED, PaymentState.DECLINED], field: "states" },
    { states: [1, 2, 3, 4, 1] as PaymentState[], field: "states" },
    { pageToken: "x".repeat(201), field: "page_token" },
  ];
  for (const { field, ...req } of bad) {
    const e = await failure(f.client.listPayments(f.as("pia"), { pageSize: 0, pageToken: "", states: [], ...req }));
    assert.is(e.code, Code.InvalidArgument, field);
    assert.ok(e.violations.some((v) => v.field === field), `${field}: ${e.message}`);
  }
});

/** ListPayments' tokens as a service signed with `secret` would write them. */
const signedWith = (secret: string) => pageTokens({ secret, list: "ListPayments", codec: paymentCursor, scopeIs: "customer and states" });

test("a page token is refused unless it is the caller's own, for the same states", async () => {
  await pay("quinn");
  await pay("quinn");
  const first = await f.client.listPayments(f.as("quinn"), { pageSize: 1, pageToken: "", states: [] });
  assert.not.equal(first.nextPageToken, "");
  const rupertsPayment = await pay("rupert");
  const tokens = [
    "not a token!",
    Buffer.from("pay_123/").toString("base64url"),
    Buffer.from(`${rupertsPayment}/`).toString("base64url"), // the unsigned tokens of old
    signedWith(TEST_PAGE_TOKEN_SECRET).encode(["rupert", ""], rupertsPayment), // another customer's
    signedWith(TEST_PAGE_TOKEN_SECRET).encode(["quinn", ""], rupertsPayment).replace(/^[^.]+/, Buffer.from(`pay_${"0".repeat(32)}`).toString("base64url")), // edited
    signedWith("not-the-secret").encode(["quinn", ""], rupertsPayment), // forged
  ];
  for (const pageToken of tokens) {
    const e = await failure(f.client.listPayments(f.as("quinn"), { pageSize: 1, pageToken, states: [] }));
    assert.is(e.code, Code.InvalidArgument, pageToken);
    assert.match(e.message, /^page_token: is not a page token from a previous response/);
  }
  // The token of an unfiltered listing, sent with a filter.
  const e = await failure(f.client.listPayments(f.as("quinn"), { pageSize: 1, pageToken: first.nextPageToken, states: [PaymentState.PENDING] }));
  assert.is(e.code, Code.InvalidArgument);
  // Rupert cannot page with Quinn's token either.
  const theirs = await failure(f.client.listPayments(f.as("rupert"), { pageSize: 1, pageToken: first.nextPageToken, states: [] }));
  assert.is(theirs.code, Code.InvalidArgument);
});

test("a service is no customer: UNAUTHENTICATED (the contract admits customers only)", async () => {
  const e = await failure(f.client.listPayments(f.asService("booking"), { pageSize: 1, pageToken: "", states: [] }));
  assert.is(e.code, Code.Unauthenticated);
});

test.run();
