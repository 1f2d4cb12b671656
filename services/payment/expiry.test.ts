// The expiry sweep on real PostgreSQL with the in-memory gateway: a stale
// PENDING payment is EXPIRED unless the gateway decided it (then the missed
// decision is applied, with its event); a young one is left alone; a gateway
// that cannot be asked expires nothing; a retry of an expired payment that
// never reached the gateway is refused. Two replicas' sweeps at once: one
// sweeps, the other skips (the job lock), and each payment is settled once.
import knexFactory from "knex";
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { PaymentState } from "../../gen/itinera/payment/v1/payment_pb.js";
import { advisoryExclusive } from "../../platform/job-lock.js";
import { PaymentExpiry } from "./expiry.js";
import { failure, paymentFixture, type PaymentFixture } from "./fixture.js";
import type { GatewayClient } from "./gateway.js";
import { hotelPayment } from "./payments.fixture.js";

const EXPIRE_MS = 15 * 60_000;
let f: PaymentFixture;
/** The sweep's clock: moved forward by the tests. */
let offsetMs = 0;
let expiry: PaymentExpiry;
const log = pino({ level: "silent" });
const ctx = () => backgroundContext({ log });

test.before(async () => {
  f = await paymentFixture();
  expiry = new PaymentExpiry({
    store: f.store,
    gateway: f.gateway,
    callbacks: f.callbacks,
    expireMs: EXPIRE_MS,
    exclusive: advisoryExclusive(f.database.knex),
    now: () => new Date(Date.now() + offsetMs),
  });
});
test.after(async () => {
  await f.close();
});

let keys = 0;
async function pending(customerId = "alice") {
  const req = hotelPayment(customerId, `exp-${++keys}`, 2500n);
  const { payment } = await f.client.makePayment(f.as(customerId), req);
  return { id: payment!.paymentId, req };
}
const stateOf = async (id: string) => (await f.client.getPayment(f.asService(), { paymentId: id })).payment!;

test("young payments are left alone; stale ones are expired, decided or kept as the gateway says", async () => {
  const open = await pending();
  const paid = await pending();
  const refused = await pending();
  f.gateway.decide(paid.id, "authorised"); // its callback never arrives
  f.gateway.decide(refused.id, "declined", "Insufficient funds.");

  offsetMs = 0;
  assert.equal(await expiry.sweep(ctx()), { expired: [], decided: [], skipped: [] });

  offsetMs = EXPIRE_MS + 1000;
  const result = await expiry.sweep(ctx());
  assert.equal(result.expired, [open.id]);
  assert.equal([...result.decided].sort(), [paid.id, refused.id].sort());
  assert.is((await stateOf(open.id)).state, PaymentState.EXPIRED);
  assert.is((await stateOf(paid.id)).state, PaymentState.AUTHORISED);
  const declined = await stateOf(refused.id);
  assert.equal([declined.state, declined.declineReason], [PaymentState.DECLINED, "Insufficient funds."]);
  const events = (await f.events()).map((e) => [e.key, e.event.event.case]);
  assert.equal(events.filter(([k]) => k === paid.id), [[paid.id, "authorised"]]);
  assert.equal(events.filter(([k]) => k === refused.id), [[refused.id, "declined"]]);
  assert.equal(events.filter(([k]) => k === open.id), [], "expiry publishes nothing");

  // the callback arriving after the sweep applied its decision changes nothing
  const outcome = await f.callbacks.apply(ctx(), {
    eventId: "ge_late",
    sessionId: f.gateway.sessionOf(paid.id).sessionId,
    paymentId: paid.id,
    status: "authorised",
    amountMinor: 2500n,
    currency: "EUR",
    reason: "",
  });
  assert.is(outcome.duplicate, true);
  assert.equal((await f.events()).filter((e) => e.key === paid.id).length, 1);
  assert.equal(await expiry.sweep(ctx()), { expired: [], decided: [], skipped: [] }, "nothing stays pending");
});

test("when the gateway cannot be asked, nothing is expired; a payment it never opened expires without asking", async () => {
  offsetMs = 0;
  const asked = await pending("bob");
  f.gateway.down = true;
  const neverOpened = hotelPayment("bob", "exp-never", 3000n);
  assert.is((await failure(f.client.makePayment(f.as("bob"), neverOpened))).code, Code.Unavailable);
  const [row] = await f.database.knex("payments").where({ customer_id: "bob", session_id: null });

  offsetMs = EXPIRE_MS + 1000;
  const result = await expiry.sweep(ctx());
  assert.equal(result, { expired: [row.payment_id], decided: [], skipped: [asked.id] });
  assert.is((await stateOf(asked.id)).state, PaymentState.PENDING);

  // the customer's retry of the expired payment cannot open it any more
  f.gateway.down = false;
  const e = await failure(f.client.makePayment(f.as("bob"), neverOpened));
  assert.is(e.code, Code.FailedPrecondition);
  assert.match(e.message, /is expired: the gateway never opened it/);

  const later = await expiry.sweep(ctx());
  assert.equal(later.expired, [asked.id]);
});

test("two replicas sweeping at once: one sweeps, the other skips, each stale payment is settled once", async () => {
  offsetMs = 0;
  const stale = await pending("carol");
  offsetMs = EXPIRE_MS + 1000;
  // A second pool on the same database stands for the second replica's connections.
  const peerKnex = knexFactory({ client: "pg", connection: f.url, pool: { min: 0, max: 2 } });
  let release!: () => void;
  const released = new Promise<void>((r) => (release = r));
  let asked!: () => void;
  const gatewayAsked = new Promise<void>((r) => (asked = r));
  // Both replicas ask one gateway, which holds its first answer until the test lets it go.
  const held: GatewayClient = {
    openSession: (c, req) => f.gateway.openSession(c, req),
    refund: (c, req) => f.gateway.refund(c, req),
    session: async (c, id) => {
      asked();
      await released;
      return f.gateway.session(c, id);
    },
  };
  const replica = (exclusive: ReturnType<typeof advisoryExclusive>) =>
    new PaymentExpiry({ store: f.store, gateway: held, callbacks: f.callbacks, expireMs: EXPIRE_MS, exclusive, now: () => new Date(Date.now() + offsetMs) });
  try {
    const sessionsAsked = f.gateway.calls.session;
    const first = replica(advisoryExclusive(f.database.knex)).sweepExclusively(ctx());
    await gatewayAsked; // the first replica holds the lock and is mid-sweep
    assert.is(await replica(advisoryExclusive(peerKnex)).sweepExclusively(ctx()), undefined, "the second replica skipped the round");
    release();
    assert.equal((await first)?.expired, [stale.id]);
    assert.is(f.gateway.calls.session - sessionsAsked, 1, "the gateway was asked once");
    assert.is((await stateOf(stale.id)).state, PaymentState.EXPIRED);
  } finally {
    release();
    await peerKnex.destroy();
  }
});

test.run();
