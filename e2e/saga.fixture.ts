// Test support for the saga under faults (crash.test.ts: services killed;
// pg-chaos.test.ts: PostgreSQL killed): customers with wallet money, stays to
// book, sellers that refuse some bookings; a driver that submits bookings a
// few at a time and retries what a fault refused (same idempotency key); and
// the ledger checks that must hold once the system is back: every paid booking
// CONFIRMED, or FAILED with its card refunded; no card charged twice; no
// seller booking made twice; exactly one e-mail per reservation; every wallet
// reconciled with its statement.
import { randomBytes } from "node:crypto";
import pg from "pg";
import * as assert from "uvu/assert";
import { KitError } from "../endpoints/errors.js";
import { ReservationState, type Reservation } from "../gen/itinera/booking/v1/booking_pb.js";
import { TransactionKind, type Transaction } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { until } from "../platform/processes.testing.js";
import { CARDS, FINAL_STATES, type Customer, type Marketplace, type Offer } from "./marketplace.fixture.js";

/** What a customer's wallet pays of a stay listed above twice this: the wallet's hold, capture and release run too. */
const MARKDOWN = 150n;

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

/** How far a run is: bookings at the end of their saga (their e-mail sent, the last step) and events published, on either bus engine. */
export async function sagaProgress(m: Marketplace): Promise<{ finished: number; published: number }> {
  // A connection per call: the database itself may have been killed since the last one.
  const db = new pg.Client({ connectionString: m.databaseUrl });
  db.on("error", () => {});
  try {
    await db.connect();
    const r = await db.query<{ finished: string }>(`select count(*) as finished from mailer.emails where state = 'sent'`);
    return { finished: Number(r.rows[0]!.finished), published: await m.busPublished() };
  } finally {
    await db.end().catch(() => {});
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Retries what a fault refused: the same idempotency key makes the retry safe. */
async function persist<T>(what: string, call: () => Promise<T>): Promise<T> {
  const deadline = Date.now() + 90_000;
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
        paid.push({ customer, paymentId, offer });
      }
    }),
  );
  return paid;
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
  emails: number;
  smtp_redeliveries_same_message_id: number;
  reservations_without_exactly_one_email: number;
  wallets_unreconciled: number;
  wallet_still_held_minor: string;
  holds: number;
  captures: number;
  releases: number;
  /** Bookings with a wallet markdown, in all, confirmed and failed: one hold each, one capture or one release. */
  with_markdown: { all: number; confirmed: number; failed: number };
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
      return paid.every((p) => FINAL_STATES.includes(reservations.get(p.paymentId)?.state ?? ReservationState.UNSPECIFIED)) ? true : undefined;
    },
    240_000,
  );
  // Every consumer has handled every event: what is counted below cannot change any more (no late e-mail, seller
  // booking or refund request is still on its way).
  await m.busSettled({ timeoutMs: 240_000 });
  const all = paid.map((p) => ({ ...p, reservation: reservations.get(p.paymentId)! }));
  const confirmed = all.filter((x) => x.reservation.state === ReservationState.CONFIRMED);
  const failed = all.filter((x) => x.reservation.state === ReservationState.FAILED);

  // Cards: charged once each; every FAILED refunded in full (refunds settle asynchronously).
  const ledger = await until(
    "the refunds of failed bookings",
    async () => {
      const rows = new Map((await m.ledger()).map((row) => [row.merchant_ref, row]));
      return failed.every((x) => rows.get(x.paymentId)?.refunded_minor === Number(x.offer.priceMinor)) ? rows : undefined;
    },
    120_000,
  );
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
  // The refusal path ran: sellers refused bookings, and each refused one ended FAILED (refunded, checked above).
  const refused = sellerBookings.filter((b) => b.status === "REFUSED");
  const refusedNotFailed = refused.filter((b) => !failed.some((x) => x.reservation.reservationId === b.booking_ref));

  // E-mails: exactly one per reservation (an invoice or an apology).
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
  const messageIdsPer = all.map((x) => new Set(finalInbox.filter((msg) => msg.text.includes(x.reservation.reservationId)).map((msg) => msg.message_id)).size);
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
    emails: inbox.length === 0 ? 0 : distinctMessages,
    smtp_redeliveries_same_message_id: finalInbox.length - distinctMessages,
    reservations_without_exactly_one_email: messageIdsPer.filter((n) => n !== 1).length,
    wallets_unreconciled: unreconciled,
    wallet_still_held_minor: stillHeld.toString(),
    holds,
    captures,
    releases,
    with_markdown: { all: withMarkdown(all), confirmed: withMarkdown(confirmed), failed: withMarkdown(failed) },
  };
}

/** Fails on any count that says a booking was lost or doubled, a card or wallet left wrong, or an e-mail missing or repeated. */
export function assertSagaLedger(run: SagaRun, l: SagaLedger): void {
  assert.is(l.bookings_paid, run.bookings);
  assert.is(l.confirmed + l.failed_and_refunded, run.bookings);
  assert.ok(l.seller_refusals > 0, "no seller refused a booking: the compensation path did not run");
  assert.is(l.refused_not_failed, 0, "a booking the seller refused did not end FAILED");
  assert.is(l.cards_charged_not_once, 0, "a card charged other than once");
  assert.is(l.confirmed_but_refunded, 0, "a confirmed booking refunded");
  assert.is(l.seller_booked_twice, 0, "a seller booking made twice");
  assert.is(l.confirmed_without_seller_booking, 0, "a confirmed reservation without its seller booking");
  assert.is(l.failed_but_seller_booked, 0, "a failed reservation booked with the seller");
  assert.is(l.reservations_without_exactly_one_email, 0, "a reservation without exactly one e-mail");
  assert.is(l.emails, run.bookings + run.customers.length, "one e-mail per booking, and each customer's sign-up link");
  assert.is(l.wallets_unreconciled, 0, "a wallet that does not match its statement");
  assert.is(l.wallet_still_held_minor, "0", "wallet money still held");
  assert.is(l.holds, l.with_markdown.all, "one hold per booking with a markdown");
  assert.is(l.captures, l.with_markdown.confirmed, "one capture per confirmed booking with a markdown");
  assert.is(l.releases, l.with_markdown.failed, "one release per failed booking with a markdown");
}
