// The saga when the local JetStream server dies: the whole marketplace as
// processes with BUS=nats and the nats-server the supervisor started (as
// under `make start BUS=nats`), killed with SIGKILL after a first booking
// went through, while a second one is on its way through the saga. The
// supervisor restarts it on its store and says so; no service is restarted;
// the booking in flight and one made after the restart both complete
// (CONFIRMED, exactly one invoice each).
// test-timeout-seconds: 300
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ReservationState } from "../gen/itinera/booking/v1/booking_pb.js";
import { until } from "../platform/processes.testing.js";
import { CARDS, FINAL_STATES, startMarketplace, type Customer, type Marketplace, type Offer } from "./marketplace.fixture.js";

let m: Marketplace;
let alice: Customer;
let offers: Offer[];
/** What the supervisor said about NATS. */
const said: string[] = [];

test.before(async () => {
  m = await startMarketplace({}, { bus: "nats", onSay: (line) => line.includes("NATS") && said.push(line) });
  alice = await m.signUp("alice");
  offers = await m.findStays(alice, 3);
});

test.after(async () => {
  await m?.close();
});

/** Waits for the reservation of a payment to end; answers it with the e-mails about it once the bus is settled. */
async function ended(paymentId: string) {
  const r = await m.reservationOf(alice, paymentId, (x) => FINAL_STATES.includes(x.state), 90_000);
  await until("its e-mail", async () => ((await m.inbox()).some((x) => x.text.includes(r.reservationId)) ? true : undefined), 60_000);
  await m.busSettled();
  return { r, mails: (await m.inbox()).filter((x) => x.text.includes(r.reservationId)) };
}

const pay = async (offer: Offer) => (await m.pay(alice, offer, CARDS.authorises)).paymentId;

test("nats-server killed with SIGKILL: restarted and said so, no service restarted, the booking in flight and one after it complete", async () => {
  const nats = m.system.nats;
  assert.ok(nats, "the system runs its own nats-server");
  const first = await ended(await pay(offers[0]!));
  assert.is(first.r.state, ReservationState.CONFIRMED, first.r.failureReason);

  // Paid: its event is in payment's outbox or on its way through the saga when the server dies.
  const inFlight = await pay(offers[1]!);
  const killedAt = Date.now();
  await nats.kill("SIGKILL");
  await until("NATS restarted by the supervisor", () => (nats.restarts() === 1 ? true : undefined), 60_000);
  const backSeconds = ((Date.now() - killedAt) / 1000).toFixed(1);

  const after = await pay(offers[2]!);
  const results = [await ended(inFlight), await ended(after)];
  console.log(`nats chaos: back in ${backSeconds} s; the supervisor said:\n${said.join("\n")}`);
  for (const [what, { r, mails }] of [["in flight", results[0]!], ["after", results[1]!]] as const) {
    assert.is(r.state, ReservationState.CONFIRMED, `the booking ${what}: ${r.failureReason}`);
    assert.ok(r.sellerReference !== "", `the booking ${what}: booked with the seller`);
    assert.is(mails.length, 1, `the booking ${what}: exactly one invoice`);
  }
  assert.ok(said.some((l) => /^NATS died \(SIGKILL\); restarting in \d+ ms$/.test(l)), said.join("\n"));
  assert.ok(said.some((l) => /^NATS is back after \d+\.\d s$/.test(l)), said.join("\n"));
  assert.equal(Object.entries(m.system.exits()).filter(([, n]) => n > 0), [], "a service had to be restarted: services must recover from a NATS restart by themselves");
});

test.run();
