// The settlement consumer's effects on the (fake) wallet and payment after
// each kind of state change, counted by idempotency key; a redelivered
// message calls nothing at all; a delivery that failed halfway repeats only
// calls whose keys make them harmless; and the consumer on the real bus
// settles what booking published.
import { fromBinary } from "@bufbuild/protobuf";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, failedPrecondition, unavailable } from "../../endpoints/errors.js";
import { ReservationEventSchema, type ReservationEvent } from "../../gen/itinera/booking/v1/events_pb.js";
import { topicOf, type DeliveryMeta } from "../../endpoints/bus.js";
import { waitFor } from "../../transport/bus/database.fixture.js";
import { BOOKING_PRINCIPAL, bookingFixture, createRequest, eur, failure, hotelItem, type BookingFixture, type CreateOptions } from "./fixture.js";
import { SETTLEMENT_GROUP, settlementHandler } from "./settlement.js";

let f: BookingFixture;
let handle: ReturnType<typeof settlementHandler>;
test.before(async () => {
  f = await bookingFixture();
  handle = settlementHandler({ store: f.store, wallet: f.wallet.client, payment: f.payment.client, servicePrincipal: async () => BOOKING_PRINCIPAL });
});
test.after(async () => {
  await f.close();
});

const sellers = () => f.serviceCtx("sellers");
const customer = "paula";

async function paid(o: CreateOptions = {}): Promise<string> {
  if (o.markdownMinor) f.wallet.setBalance(customer, f.wallet.balance(customer) + o.markdownMinor);
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: customer, amountMinor: 30_000n, ...o }));
  return reservation!.reservationId;
}

/** A reservation's messages as the consumer is handed them, in order. */
async function messagesOf(id: string): Promise<{ event: ReservationEvent; meta: DeliveryMeta }[]> {
  const r = await f.db.knex.raw<{ rows: { id: bigint; payload: Buffer; created_at: Date }[] }>(
    `select id, payload, created_at from bus.messages where topic = ? and key = ? order by id`,
    [topicOf(ReservationEventSchema).name, id],
  );
  return r.rows.map((row) => ({
    meta: { messageId: BigInt(row.id), topic: topicOf(ReservationEventSchema).name, key: id, group: SETTLEMENT_GROUP, attempt: 1, publishedAt: row.created_at },
    event: fromBinary(ReservationEventSchema, row.payload),
  }));
}

/** Delivers a reservation's messages to the handler in order, as the consumer would (again, on a redelivery). */
async function settle(id: string): Promise<void> {
  for (const { event, meta } of await messagesOf(id)) await handle(f.serviceCtx("bus"), event, meta);
}

/** Whether booking's inbox records the message as settled. */
async function recorded(meta: DeliveryMeta): Promise<boolean> {
  const r = await f.db.knex.raw<{ rows: unknown[] }>(`select 1 from inbox where group_name = ? and message_id = ?`, [meta.group, meta.messageId.toString()]);
  return r.rows.length > 0;
}

/** Effects (once per key) and calls (repeats included) that concern one reservation. */
function ledger(id: string) {
  const mine = (key: string) => key.endsWith(`:${id}`);
  return {
    wallet: f.wallet.effects().filter(mine).map((k) => k.replace(`:${id}`, "")),
    refunds: f.payment.refunds().filter((r) => mine(r.key)).map((r) => `${r.key.replace(`:${id}`, "")} ${r.amountMinor}`),
    calls: [...f.wallet.calls, ...f.payment.calls].filter((c) => mine(c.key)).length,
  };
}

test("confirmed: the hold is captured; paid alone settles nothing", async () => {
  const id = await paid({ markdownMinor: 3_000n });
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold"], refunds: [], calls: 1 });
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-1" });
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold", "capture"], refunds: [], calls: 2 });
});

test("a redelivered message calls nothing at all; every call was made as booking", async () => {
  const id = await paid({ markdownMinor: 3_000n });
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-2" });
  await settle(id);
  const once = ledger(id);
  await settle(id);
  await settle(id);
  assert.equal(ledger(id), once);
  assert.ok([...f.wallet.calls, ...f.payment.calls].every((c) => c.principal === BOOKING_PRINCIPAL));
});

test("failed by the seller, refunded in full by sellers: the hold is released, nothing more refunded", async () => {
  const id = await paid({ markdownMinor: 2_000n });
  await f.client.failReservation(sellers(), { reservationId: id, reason: "refused", refunded: eur(30_000n) });
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold", "release"], refunds: [], calls: 2 });
  assert.is(f.wallet.holds().find((h) => h.state === "released" && h.amountMinor === 2_000n) !== undefined, true);
});

test("failed by the seller with the refund short: booking refunds the rest under refund:fail:<id>", async () => {
  const id = await paid();
  await f.client.failReservation(sellers(), { reservationId: id, reason: "refused", refunded: eur(10_000n) });
  await settle(id);
  assert.equal(ledger(id), { wallet: [], refunds: ["refund:fail 20000"], calls: 1 });
});

test("failed because the wallet refused the markdown: the whole card amount is refunded", async () => {
  const { reservation } = await f.client.createReservation(f.serviceCtx(), createRequest({ customerId: "broke", amountMinor: 25_000n, markdownMinor: 9_000n }));
  const id = reservation!.reservationId;
  await settle(id);
  // two calls: the refused hold at creation, and the refund
  assert.equal(ledger(id), { wallet: [], refunds: ["refund:fail 25000"], calls: 2 });
});

test("cancelled while PAID: the hold released and the card refunded in full", async () => {
  const id = await paid({ markdownMinor: 4_000n });
  await f.client.cancelReservation(f.customer(customer), { reservationId: id });
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold", "release"], refunds: ["refund:cancel 30000"], calls: 3 });
});

test("cancelled while PAID as sellers refunded the seller's refusal in full: payment's FAILED_PRECONDITION settles it; once CONFIRMED it is retried", async () => {
  const id = await paid({ markdownMinor: 4_000n });
  await f.client.cancelReservation(f.customer(customer), { reservationId: id });
  f.payment.failure = failedPrecondition("the refund EUR 300.00 exceeds what is left to refund on the payment, EUR 0.00");
  try {
    await settle(id);
  } finally {
    f.payment.failure = undefined;
  }
  assert.equal(ledger(id).wallet, ["hold", "release"], "settled: the hold released, nothing more owed to the card");

  const confirmed = await paid();
  await f.client.confirmReservation(sellers(), { reservationId: confirmed, sellerReference: "CASA-9" });
  await f.client.cancelReservation(f.customer(customer), { reservationId: confirmed });
  f.payment.failure = failedPrecondition("exceeds what is left");
  try {
    assert.is((await failure(settle(confirmed))).code, Code.FailedPrecondition, "a partial refund refused is not taken as done");
  } finally {
    f.payment.failure = undefined;
  }
  await settle(confirmed);
  assert.equal(ledger(confirmed).refunds, ["refund:cancel 27500"], "retried, it is refunded");
});

test("cancelled once CONFIRMED: captured, the markdown credited back, the card refunded minus the fee", async () => {
  const id = await paid({ markdownMinor: 4_000n });
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-3" });
  await f.client.cancelReservation(f.customer(customer), { reservationId: id });
  const before = f.wallet.balance(customer);
  await settle(id);
  // the cancellation's capture repeats the confirmation's under the same key: one capture
  assert.equal(ledger(id), { wallet: ["hold", "capture", "credit:cancel"], refunds: ["refund:cancel 27500"], calls: 5 });
  assert.is(f.wallet.balance(customer) - before, 4_000n);
});

test("cancelled once CONFIRMED at a 5-star hotel: captured, nothing back", async () => {
  const id = await paid({ markdownMinor: 4_000n, item: hotelItem({ starRating: 5 }) });
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-4" });
  await f.client.cancelReservation(f.customer(customer), { reservationId: id });
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold", "capture"], refunds: [], calls: 3 });
});

test("a delivery that fails halfway is retried whole: the calls already made repeat under their keys and take effect once", async () => {
  const id = await paid({ markdownMinor: 1_000n });
  await f.client.cancelReservation(f.customer(customer), { reservationId: id });
  f.payment.failure = unavailable("payment is down");
  try {
    assert.match((await failure(settle(id))).message, /payment is down/);
  } finally {
    f.payment.failure = undefined;
  }
  assert.equal(ledger(id).wallet, ["hold", "release"], "released before the refund failed");
  await settle(id);
  assert.equal(ledger(id), { wallet: ["hold", "release"], refunds: ["refund:cancel 30000"], calls: 5 });
  await settle(id);
  assert.is(ledger(id).calls, 5, "settled: the next redelivery calls nothing");
});

test("no transaction of booking's stays open while a settlement call is in flight; the message is recorded after the call returns", async () => {
  const id = await paid({ markdownMinor: 2_000n });
  await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-6" });
  const [confirmed] = await messagesOf(id).then((m) => m.filter((x) => x.event.event.case === "confirmed"));
  let called!: () => void;
  let release!: () => void;
  const inCall = new Promise<void>((r) => (called = r));
  const released = new Promise<void>((r) => (release = r));
  // a wallet whose capture is answered only when the test says so
  const wallet: typeof f.wallet.client = {
    ...f.wallet.client,
    capture: async (ctx, req) => {
      called();
      await released;
      return f.wallet.client.capture(ctx, req);
    },
  };
  const held = settlementHandler({ store: f.store, wallet, payment: f.payment.client, servicePrincipal: async () => BOOKING_PRINCIPAL });
  const settling = held(f.serviceCtx("bus"), confirmed!.event, confirmed!.meta);
  try {
    await inCall;
    const open = await f.db.knex.raw<{ rows: { n: number }[] }>(
      `select count(*)::int as n from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid() and xact_start is not null`,
    );
    assert.is(open.rows[0]!.n, 0, "no connection of booking's is held in a transaction across the wallet call");
    assert.is(await recorded(confirmed!.meta), false, "not recorded while the call is in flight");
  } finally {
    release();
  }
  await settling;
  assert.is(await recorded(confirmed!.meta), true, "recorded once the call returned");
  assert.equal(ledger(id).wallet, ["hold", "capture"]);
});

test("the consumer on the real bus settles what booking publishes, and skips what was settled before", async () => {
  const settledBefore = { wallet: f.wallet.effects().length, refunds: f.payment.refunds().length };
  const subscription = await f.bus.subscribe({ topic: topicOf(ReservationEventSchema), group: SETTLEMENT_GROUP, handler: handle, maxAttempts: 3, backoff: () => 50 });
  try {
    const id = await paid({ markdownMinor: 2_000n });
    await f.client.confirmReservation(sellers(), { reservationId: id, sellerReference: "CASA-5" });
    await f.client.cancelReservation(f.customer(customer), { reservationId: id });
    const pending = async () => {
      const r = await f.db.knex.raw<{ rows: { n: number }[] }>(`select count(*)::int as n from bus.deliveries where group_name = ?`, [SETTLEMENT_GROUP]);
      return r.rows[0]!.n;
    };
    await waitFor("the settlement consumer to drain", async () => (await pending()) === 0);
    assert.equal(ledger(id), { wallet: ["hold", "capture", "credit:cancel"], refunds: ["refund:cancel 27500"], calls: 5 });
    // the group, new to the topic, was handed every earlier message too: the inbox skipped those already settled
    assert.is(f.wallet.effects().length - settledBefore.wallet, 3, "hold, capture, credit of the new reservation only");
    assert.is(f.payment.refunds().length - settledBefore.refunds, 1);
    const dead = await f.db.knex.raw<{ rows: { n: number }[] }>(`select count(*)::int as n from bus.dead_letters`);
    assert.is(dead.rows[0]!.n, 0);
  } finally {
    await subscription.stop();
  }
});

test.run();
