// Test support for the saga under faults (crash.test.ts: services killed;
// pg-chaos.test.ts: PostgreSQL killed): customers with wallet money, stays to
// book, sellers that refuse some bookings; a driver that submits bookings a
// few at a time and retries what a fault refused (same idempotency key); and
// the ledger checks that must hold once the system is back: every paid booking
// CONFIRMED, or FAILED with its card refunded; no card charged twice; no
// seller booking made twice; exactly one e-mail per reservation; every wallet
// reconciled with its statement. Some bookings are cancelled by their
// customer right after paying, while the seller books them (or just after it
// confirmed): each ends CANCELLED with the refund its policy says on the card
// and no live booking left at the seller; and every room-night counts exactly
// the bookings still live (given back once by each cancelled or failed one),
// with pricing holding a night STALE exactly while booking counts it sold out.
import { randomBytes } from "node:crypto";
import pg from "pg";
import * as assert from "uvu/assert";
import { Code, KitError } from "../endpoints/errors.js";
import { ReservationState, type Reservation } from "../gen/itinera/booking/v1/booking_pb.js";
import { TransactionKind, type Transaction } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { until } from "../platform/processes.testing.js";
import { reservationIdOf } from "../services/booking/ids.js";
import { CARDS, FINAL_STATES, type Customer, type Marketplace, type Offer } from "./marketplace.fixture.js";

/** What a customer's wallet pays of a stay listed above twice this: the wallet's hold, capture and release run too. */
const MARKDOWN = 150n;
/** Every this-many-th booking is cancelled by its customer as soon as its reservation exists (no more bookings: the same ones). */
export const CANCEL_EVERY = 5;
/** What the run's bookings end as: the saga's two ends, and a customer's cancellation. */
const RUN_FINAL_STATES = [...FINAL_STATES, ReservationState.CANCELLED];
/** booking's BOOKING_ROOM_THRESHOLD when the marketplace does not set it (its default). */
const ROOM_THRESHOLD = 10;

export interface SagaRun {
  m: Marketplace;
  customers: Customer[];
  stays: Offer[];
  bookings: number;
}

export interface Paid {
  customer: Customer;
  paymentId: string;
  offer: Offer;
  /** The customer asked to cancel it while the seller booked it. */
  cancelAsked: boolean;
}

/** `customers` signed up with money for their share of `bookings`, stays found, and sellers refusing about ten bookings. */
export async function prepareSaga(m: Marketplace, opts: { bookings: number; customers: number }): Promise<SagaRun> {
  const customers: Customer[] = [];
  for (let i = 0; i < opts.customers; i++) customers.push(await m.signUp(`saga${i}`));
  const perCustomer = Math.ceil(opts.bookings / opts.customers);
  for (const c of customers) await m.credit(c.customerId, MARKDOWN * BigInt(perCustomer));
  const stays = await m.findStays(undefined, 12);
  // Some refusals, so that the compensation path runs under faults too.
  const ratio = Math.min(1, Math.max(0.1, 10 / opts.bookings));
  for (const seller of ["casa", "skylark", "wanderly"] as const) await m.sellerAdmin(seller, "/admin/bookings", { refuse: "some", ratio });
  return { m, customers, stays, bookings: opts.bookings };
}

/**
 * How far a run is: bookings at the end of their saga (an e-mail of theirs sent, the last step) and events
 * published, on either bus engine. Counted by reservation, not by e-mail: one confirmed and then cancelled
 * sends two (invoice, cancellation), and counting those twice made `finished` pass the bookings begun — a
 * killer waiting for "nothing in flight" then waited out its 240 s (the NATS-cluster crash test, once in CI).
 */
export async function sagaProgress(m: Marketplace): Promise<{ finished: number; published: number }> {
  // A connection per call: the database itself may have been killed since the last one.
  const db = new pg.Client({ connectionString: m.databaseUrl });
  db.on("error", () => {});
  try {
    await db.connect();
    const r = await db.query<{ finished: string }>(`select count(distinct reservation_id) as finished from mailer.emails where state = 'sent'`);
    return { finished: Number(r.rows[0]!.finished), published: await m.busPublished() };
  } finally {
    await db.end().catch(() => {});
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries what a fault refused: the same idempotency key makes the retry safe. */
async function persist<T>(what: string, call: () => Promise<T>, withinMs = 90_000): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (;;) {
    try {
      return await call();
    } catch (e) {
      if (Date.now() > deadline) throw new Error(`${what}: ${e instanceof KitError ? e.message : String(e)}`);
      await sleep(300);
    }
  }
}

/**
 * Submits every booking of the run, `inFlight` at a time, each paid by card
 * (and the markdown from the wallet); `onBegin` counts each payment asked for.
 * `before(n)`, when given, holds booking n until it resolves (a test pauses
 * the flow at a point until its fault has landed).
 */
export async function submitBookings(
  run: SagaRun,
  opts: { inFlight: number; onBegin: () => void; before?: (n: number) => Promise<void> },
): Promise<Paid[]> {
  const paid: Paid[] = [];
  // Cancellations wait for their reservation beside the flow, not in a booking slot of it.
  const cancels: Promise<void>[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: opts.inFlight }, async () => {
      while (next < run.bookings) {
        const n = next++;
        await opts.before?.(n);
        const customer = run.customers[n % run.customers.length]!;
        const stay = run.stays[n % run.stays.length]!;
        const markdown = stay.listedMinor > MARKDOWN * 2n ? MARKDOWN : 0n;
        const offer = { ...stay, quote: undefined, markdownMinor: markdown, priceMinor: stay.listedMinor - markdown };
        const key = `saga-${n}-${randomBytes(4).toString("hex")}`;
        opts.onBegin();
        const { paymentId } = await persist(`booking ${n}`, () => run.m.pay(customer, offer, CARDS.authorises, key));
        const cancelAsked = n % CANCEL_EVERY === 2;
        if (cancelAsked) cancels.push(cancelWhileBooking(run.m, customer, paymentId));
        paid.push({ customer, paymentId, offer, cancelAsked });
      }
    }),
  );
  await Promise.all(cancels);
  return paid;
}

/**
 * The customer cancels as soon as the reservation exists: usually while the
 * seller books it, sometimes just after it confirmed. A FAILED_PRECONDITION
 * (the seller refused it first) leaves it FAILED; anything else a fault
 * refused is asked again.
 */
export async function cancelWhileBooking(m: Marketplace, customer: Customer, paymentId: string): Promise<void> {
  const reservationId = reservationIdOf(paymentId);
  // Under kills a reservation may be minutes in coming (a payment's callback retried after payment's
  // restart, a stream's new leader, booking's restart): the crash tests' own patience for progress.
  await persist(
    `cancelling ${reservationId}`,
    () =>
      m.clients.booking.cancelReservation(m.ctx(customer.principal), { reservationId }).catch((e: unknown) => {
        if (e instanceof KitError && e.code === Code.FailedPrecondition) return undefined;
        throw e;
      }),
    240_000,
  );
}

/** What the ledgers say once every paid booking reached a final state and the bus settled; every count but the first three must be 0. */
export interface SagaLedger {
  bookings_paid: number;
  confirmed: number;
  failed_and_refunded: number;
  seller_refusals: number;
  cards_charged_not_once: number;
  confirmed_but_refunded: number;
  seller_bookings: number;
  seller_booked_twice: number;
  confirmed_without_seller_booking: number;
  failed_but_seller_booked: number;
  refused_not_failed: number;
  failed_not_refunded: number;
  cancelled: number;
  /** Of those, cancelled once the seller had confirmed (a fee may apply). */
  cancelled_after_confirmation: number;
  cancelled_refund_not_policy: number;
  cancelled_but_seller_booked: number;
  room_nights: number;
  room_nights_sold_out: number;
  room_nights_miscounted: number;
  room_nights_stale_not_sold_out: number;
  room_nights_sold_out_not_stale: number;
  emails: number;
  smtp_redeliveries_same_message_id: number;
  reservations_without_exactly_one_email: number;
  wallets_unreconciled: number;
  wallet_still_held_minor: string;
  holds: number;
  captures: number;
  releases: number;
  /** Bookings with a wallet markdown: in all, captured (confirmed, cancelled once confirmed), released (failed, cancelled while paid). */
  with_markdown: { all: number; captured: number; released: number };
}

/** Waits for every paid booking to end and the bus to settle (nothing still on its way), then reads every ledger. */
export async function sagaLedger(run: SagaRun, paid: Paid[]): Promise<SagaLedger> {
  const { m, customers } = run;
  // Every paid booking reaches a final state.
  const reservations = new Map<string, Reservation>();
  await until(
    "every paid booking CONFIRMED or FAILED",
    async () => {
      for (const c of customers) {
        const list = await m.clients.booking.listReservations(m.ctx(c.principal), { pageSize: 100 }).catch(() => undefined);
        for (const r of list?.reservations ?? []) reservations.set(r.paymentId, r);
      }
      return paid.every((p) => RUN_FINAL_STATES.includes(reservations.get(p.paymentId)?.state ?? ReservationState.UNSPECIFIED)) ? true : undefined;
    },
    240_000,
  );
  // Every consumer has handled every event: what is counted below cannot change any more (no late e-mail, seller
  // booking or refund request is still on its way).
  await m.busSettled({ timeoutMs: 240_000 });
  const all = paid.map((p) => ({ ...p, reservation: reservations.get(p.paymentId)! }));
  const confirmed = all.filter((x) => x.reservation.state === ReservationState.CONFIRMED);
  const failed = all.filter((x) => x.reservation.state === ReservationState.FAILED);
  const cancelled = all.filter((x) => x.reservation.state === ReservationState.CANCELLED);
  // Cancelled once CONFIRMED: the seller's reference stays (a cancellation while PAID has none).
  const cancelledConfirmed = cancelled.filter((x) => x.reservation.sellerReference !== "");

  // Cards: charged once each; every FAILED refunded in full, every CANCELLED what booking's policy decided
  // (reservation.refunded, with the fee kept: refunded + fee = the card amount) — refunds settle asynchronously.
  const refundedOf = (x: (typeof all)[number]) => x.reservation.refunded?.amountMinor ?? 0n;
  const ledger = await until(
    "the refunds of failed and cancelled bookings",
    async () => {
      const rows = new Map((await m.ledger()).map((row) => [row.merchant_ref, row]));
      const failedDone = failed.every((x) => rows.get(x.paymentId)?.refunded_minor === Number(x.offer.priceMinor));
      return failedDone && cancelled.every((x) => rows.get(x.paymentId)?.refunded_minor === Number(refundedOf(x))) ? rows : undefined;
    },
    120_000,
  ).catch(async () => new Map((await m.ledger()).map((row) => [row.merchant_ref, row])));
  const cancelledRefundNotPolicy = cancelled.filter((x) => {
    const fee = x.reservation.cancellationFee?.amountMinor ?? 0n;
    const refunded = refundedOf(x);
    const whole = x.offer.priceMinor;
    const policyHolds = refunded + fee === whole && (x.reservation.sellerReference !== "" || fee === 0n);
    return !policyHolds || ledger.get(x.paymentId)?.refunded_minor !== Number(refunded);
  });
  const failedNotRefunded = failed.filter((x) => ledger.get(x.paymentId)?.refunded_minor !== Number(x.offer.priceMinor));
  const chargedTwice = all.filter((x) => (ledger.get(x.paymentId)?.charges ?? 0) !== 1);
  const wronglyRefunded = confirmed.filter((x) => (ledger.get(x.paymentId)?.refunded_minor ?? 0) !== 0);

  // Sellers: one booking per confirmed reservation, none for failed ones (the run's own: the marketplace may have served others).
  const ours = new Set(all.map((x) => x.reservation.reservationId));
  const sellerBookings = (
    await Promise.all(
      (["casa", "skylark", "wanderly"] as const).map(
        async (s) => (await m.sellerAdmin(s, "/admin/bookings")) as { booking_ref: string; confirmation: string | null; status: string; requests: number }[],
      ),
    )
  )
    .flat()
    .filter((b) => ours.has(b.booking_ref));
  const booked = sellerBookings.filter((b) => b.status === "CONFIRMED");
  const bookedRefs = new Map<string, number>();
  for (const b of booked) bookedRefs.set(b.booking_ref, (bookedRefs.get(b.booking_ref) ?? 0) + 1);
  const bookedTwice = [...bookedRefs.values()].filter((n) => n > 1).length;
  const confirmedWithoutBooking = confirmed.filter(
    (x) => !booked.some((b) => b.booking_ref === x.reservation.reservationId && b.confirmation === x.reservation.sellerReference),
  );
  const failedButBooked = failed.filter((x) => bookedRefs.has(x.reservation.reservationId));
  const cancelledButBooked = cancelled.filter((x) => bookedRefs.has(x.reservation.reservationId));
  // The refusal path ran: sellers refused bookings, and each refused one ended FAILED (refunded, checked above),
  // or CANCELLED when its customer cancelled first.
  const refused = sellerBookings.filter((b) => b.status === "REFUSED");
  const refusedNotFailed = refused.filter((b) => ![...failed, ...cancelled].some((x) => x.reservation.reservationId === b.booking_ref));

  const nights = await roomNights(m, Number(m.env.BOOKING_ROOM_THRESHOLD ?? ROOM_THRESHOLD));

  // E-mails: exactly one per reservation (an invoice or an apology, or a cancellation), and an invoice before the
  // cancellation of one cancelled once confirmed.
  const inbox = await until(
    "an e-mail for every reservation",
    async () => {
      const messages = await m.inbox();
      return all.every((x) => messages.some((msg) => msg.text.includes(x.reservation.reservationId))) ? messages : undefined;
    },
    120_000,
  );
  // The run's customers' e-mails: their sign-up links and their bookings' (a test may have sent others before).
  const finalInbox = (await m.inbox()).filter((msg) => customers.some((c) => msg.to.includes(c.email)));
  // One e-mail is one Message-ID: a mailer killed after the SMTP server's 250 and before its commit sends that
  // e-mail again on restart, under the same deterministic Message-ID (the window SMTP leaves; a mail client shows
  // one message). Such redeliveries are counted and printed, and nothing else may repeat.
  const emailsOf = (x: (typeof all)[number]) => (x.reservation.state === ReservationState.CANCELLED && x.reservation.sellerReference !== "" ? 2 : 1);
  const messageIdsPer = all.map((x) => new Set(finalInbox.filter((msg) => msg.text.includes(x.reservation.reservationId)).map((msg) => msg.message_id)).size - emailsOf(x) + 1);
  const distinctMessages = new Set(finalInbox.map((msg) => msg.message_id)).size;

  // Wallets: no money held any more, and every balance equals its statement.
  const service = await m.service("operator");
  let unreconciled = 0;
  let stillHeld = 0n;
  let holds = 0;
  let captures = 0;
  let releases = 0;
  for (const c of customers) {
    const balance = (await m.clients.wallet.getBalance(m.ctx(service), { customerId: c.customerId, currency: "EUR" })).balance!;
    const statement: Transaction[] = [];
    let pageToken = "";
    do {
      const page = await m.clients.wallet.listTransactions(m.ctx(service), { customerId: c.customerId, currency: "EUR", pageSize: 100, pageToken });
      statement.push(...page.transactions);
      pageToken = page.nextPageToken;
    } while (pageToken !== "");
    const sum = (kind: TransactionKind) => statement.filter((t) => t.kind === kind).reduce((a, t) => a + t.amount!.amountMinor, 0n);
    const available = sum(TransactionKind.CREDIT) - sum(TransactionKind.HOLD) + sum(TransactionKind.RELEASE);
    const held = sum(TransactionKind.HOLD) - sum(TransactionKind.CAPTURE) - sum(TransactionKind.RELEASE);
    if (available !== balance.available!.amountMinor || held !== (balance.held?.amountMinor ?? 0n)) unreconciled++;
    stillHeld += balance.held?.amountMinor ?? 0n;
    holds += statement.filter((t) => t.kind === TransactionKind.HOLD).length;
    captures += statement.filter((t) => t.kind === TransactionKind.CAPTURE).length;
    releases += statement.filter((t) => t.kind === TransactionKind.RELEASE).length;
  }
  const withMarkdown = (xs: typeof all) => xs.filter((x) => x.offer.markdownMinor > 0n).length;

  return {
    bookings_paid: all.length,
    confirmed: confirmed.length,
    failed_and_refunded: failed.length,
    seller_refusals: refused.length,
    cards_charged_not_once: chargedTwice.length,
    confirmed_but_refunded: wronglyRefunded.length,
    seller_bookings: booked.length,
    seller_booked_twice: bookedTwice,
    confirmed_without_seller_booking: confirmedWithoutBooking.length,
    failed_but_seller_booked: failedButBooked.length,
    refused_not_failed: refusedNotFailed.length,
    failed_not_refunded: failedNotRefunded.length,
    cancelled: cancelled.length,
    cancelled_after_confirmation: cancelledConfirmed.length,
    cancelled_refund_not_policy: cancelledRefundNotPolicy.length,
    cancelled_but_seller_booked: cancelledButBooked.length,
    ...nights,
    emails: inbox.length === 0 ? 0 : distinctMessages,
    smtp_redeliveries_same_message_id: finalInbox.length - distinctMessages,
    reservations_without_exactly_one_email: messageIdsPer.filter((n) => n !== 1).length,
    wallets_unreconciled: unreconciled,
    wallet_still_held_minor: stillHeld.toString(),
    holds,
    captures,
    releases,
    with_markdown: {
      all: withMarkdown(all),
      captured: withMarkdown(confirmed) + withMarkdown(cancelledConfirmed),
      released: withMarkdown(failed) + withMarkdown(cancelled) - withMarkdown(cancelledConfirmed),
    },
  };
}

/**
 * Booking's room-nights against its reservations and pricing's sold-out
 * counts, in the shared database: each night counts down from the threshold
 * by the bookings still live on it (PAID, CONFIRMED, FULFILLED) — so every
 * cancelled or failed booking gave its nights back exactly once — and pricing
 * counts a night sold out (its prices STALE until refreshed) exactly when
 * booking does.
 */
async function roomNights(m: Marketplace, threshold: number) {
  const db = new pg.Client({ connectionString: m.databaseUrl });
  await db.connect();
  try {
    const { rows } = await db.query<{ remaining: number; live: number; sold_out_count: number | null }>(`
      select a.remaining,
        (select count(*)::int from booking.reservations r
          where r.state in ('paid', 'confirmed', 'fulfilled')
            and r.item->>'sellerId' = a.seller_id
            and r.item->'hotelStay'->>'hotelId' = a.hotel_id and r.item->'hotelStay'->>'roomId' = a.room_id
            and a.night >= make_date((r.item->'hotelStay'->'checkIn'->>'year')::int, (r.item->'hotelStay'->'checkIn'->>'month')::int, (r.item->'hotelStay'->'checkIn'->>'day')::int)
            and a.night < make_date((r.item->'hotelStay'->'checkOut'->>'year')::int, (r.item->'hotelStay'->'checkOut'->>'month')::int, (r.item->'hotelStay'->'checkOut'->>'day')::int)
        ) as live,
        (select s.balance from pricing.sold_out_nights s
          where s.seller_id = a.seller_id and s.hotel_id = a.hotel_id and s.room_id = a.room_id and s.night = a.night) as sold_out_count
      from booking.availability a`);
    return {
      room_nights: rows.length,
      room_nights_sold_out: rows.filter((r) => r.remaining <= 0).length,
      room_nights_miscounted: rows.filter((r) => r.remaining !== threshold - r.live).length,
      room_nights_stale_not_sold_out: rows.filter((r) => r.remaining > 0 && (r.sold_out_count ?? 0) !== 0).length,
      room_nights_sold_out_not_stale: rows.filter((r) => r.remaining <= 0 && r.sold_out_count !== 1).length,
    };
  } finally {
    await db.end();
  }
}

/** Fails on any count that says a booking was lost or doubled, a card or wallet left wrong, or an e-mail missing or repeated. */
/**
 * What must hold of a run's ledger. `pathsRan: false` leaves out that a refusal and a cancellation
 * happened (a run too short to be sure of them: the caller checks them over several runs).
 */
export function assertSagaLedger(run: SagaRun, l: SagaLedger, opts: { pathsRan?: boolean } = {}): void {
  assert.is(l.bookings_paid, run.bookings);
  assert.is(l.confirmed + l.failed_and_refunded + l.cancelled, run.bookings);
  if (opts.pathsRan !== false) assertPathsRan(l);
  assert.is(l.refused_not_failed, 0, "a booking the seller refused did not end FAILED");
  assert.is(l.cards_charged_not_once, 0, "a card charged other than once");
  assert.is(l.confirmed_but_refunded, 0, "a confirmed booking refunded");
  assert.is(l.seller_booked_twice, 0, "a seller booking made twice");
  assert.is(l.confirmed_without_seller_booking, 0, "a confirmed reservation without its seller booking");
  assert.is(l.failed_but_seller_booked, 0, "a failed reservation booked with the seller");
  assert.is(l.failed_not_refunded, 0, "a failed booking not refunded in full");
  assert.is(l.cancelled_refund_not_policy, 0, "a cancelled booking refunded other than its policy says");
  assert.is(l.cancelled_but_seller_booked, 0, "a cancelled reservation left booked with the seller");
  assert.is(l.room_nights_miscounted, 0, "a room-night not counting exactly its live bookings");
  assert.is(l.room_nights_stale_not_sold_out, 0, "a price left STALE by a cancelled or failed booking");
  assert.is(l.room_nights_sold_out_not_stale, 0, "a sold-out night pricing does not count as sold out");
  assert.is(l.reservations_without_exactly_one_email, 0, "a reservation without exactly one e-mail");
  assert.is(l.emails, run.bookings + l.cancelled_after_confirmation + run.customers.length, "one e-mail per booking (two when cancelled once confirmed), and each customer's sign-up link");
  assert.is(l.wallets_unreconciled, 0, "a wallet that does not match its statement");
  assert.is(l.wallet_still_held_minor, "0", "wallet money still held");
  assert.is(l.holds, l.with_markdown.all, "one hold per booking with a markdown");
  assert.is(l.captures, l.with_markdown.captured, "one capture per booking with a markdown the seller confirmed");
  assert.is(l.releases, l.with_markdown.released, "one release per failed, or cancelled before confirmation, booking with a markdown");
}

/** The refusal and the cancellation paths ran (sellers refused bookings; customers cancelled some). */
export function assertPathsRan(l: Pick<SagaLedger, "seller_refusals" | "cancelled">): void {
  assert.ok(l.seller_refusals > 0, "no seller refused a booking: the compensation path did not run");
  assert.ok(l.cancelled > 0, "no booking was cancelled: the cancellation path did not run");
}
