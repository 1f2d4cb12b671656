import { test } from "uvu";
import * as assert from "uvu/assert";
import { until } from "../platform/processes.testing.js";
import { startGateway, type RunningGateway } from "./gateway.js";
import { sessionBody, signedPost, startReceiver, submitCard, TEST_SECRET, type Receiver } from "./gateway.testing.js";

const MAX_ATTEMPTS = 5;

/** Closed after each test, pass or fail, so the process always exits. */
const open: { close(): Promise<void> }[] = [];
test.after.each(async () => {
  await Promise.all(open.splice(0).map((o) => o.close()));
});

async function setup(opts: { receiverSecret?: string; maxAttempts?: number } = {}): Promise<{ gw: RunningGateway; receiver: Receiver }> {
  const receiver = await startReceiver(opts.receiverSecret);
  const gw = await startGateway({
    secret: TEST_SECRET,
    callbacks: { retryBaseMs: 5, retryMaxMs: 20, maxAttempts: opts.maxAttempts ?? MAX_ATTEMPTS, duplicateDelayMs: 20 },
  });
  open.push(gw, receiver);
  return { gw, receiver };
}

async function paid(gw: RunningGateway, receiver: Receiver, ref: string): Promise<string> {
  const res = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, ref));
  const id = ((await res.json()) as { session_id: string }).session_id;
  const pay = await submitCard(gw.url, id, "4242 4242 4242 4242");
  assert.is(pay.status, 303, "the browser goes back whatever happened to the callback");
  return id;
}

const stats = async (gw: RunningGateway) => (await (await fetch(`${gw.url}/admin/stats`)).json()) as Record<string, number>;

test("by default a delivered callback is sent a second time, byte for byte, signed afresh", async () => {
  const { gw, receiver } = await setup();
  await paid(gw, receiver, "pay_dup");
  await gw.callbacks.idle();
  assert.is(receiver.received.length, 2);
  const [first, second] = receiver.received;
  assert.is(second!.raw, first!.raw, "the same event");
  assert.equal([first!.problem, second!.problem], [undefined, undefined], "both verified by the receiver");
  assert.equal([first!.status, second!.status], [200, 200]);
  assert.equal([(await stats(gw)).callbacks_sent, (await stats(gw)).charges], [2, 1]);
});

test("a receiver that fails at first gets the same callback again until it accepts (then the duplicate)", async () => {
  const { gw, receiver } = await setup();
  receiver.failNext = 2;
  await paid(gw, receiver, "pay_retry");
  await gw.callbacks.idle();
  assert.equal(receiver.received.map((r) => r.status), [500, 500, 200, 200]);
  assert.is(new Set(receiver.received.map((r) => r.raw)).size, 1);
  const s = await stats(gw);
  assert.equal([s.callback_failures, s.callbacks_sent], [2, 2]);
});

test("a receiver that never accepts (another secret: 401) is given up after the last attempt", async () => {
  const { gw, receiver } = await setup({ receiverSecret: "not-the-gateway-secret" });
  const id = await paid(gw, receiver, "pay_badsig");
  await gw.callbacks.idle();
  assert.is(receiver.received.length, MAX_ATTEMPTS);
  for (const r of receiver.received) {
    assert.is(r.problem, "signature does not match");
    assert.is(r.status, 401);
  }
  assert.is((await stats(gw)).callback_failures, MAX_ATTEMPTS);
  const session = (await (await fetch(`${gw.url}/api/sessions/${id}`)).json()) as Record<string, unknown>;
  assert.is(session.status, "authorised", "the money was taken all the same");
});

test("mode once sends no duplicate; mode down sends nothing until the mode is back, then delivers", async () => {
  const { gw, receiver } = await setup({ maxAttempts: 10_000 });
  const mode = (callbacks: string) => fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks }) });
  await mode("once");
  await paid(gw, receiver, "pay_once");
  await gw.callbacks.idle();
  assert.is(receiver.received.length, 1);

  await mode("down");
  await paid(gw, receiver, "pay_down");
  await until("failed attempts while down", async () => ((await stats(gw)).callback_failures! >= 3 ? true : undefined));
  assert.is(receiver.received.length, 1, "no request while down");
  await mode("once");
  await gw.callbacks.idle();
  assert.is(receiver.received.length, 2);
  assert.is(receiver.received[1]!.body.merchant_ref, "pay_down");
  assert.is(receiver.received[1]!.problem, undefined);
});

test("a reset drops pending retries (else idle() would wait for 10,000 attempts)", async () => {
  const { gw, receiver } = await setup({ maxAttempts: 10_000 });
  receiver.failNext = 1_000_000;
  await paid(gw, receiver, "pay_reset");
  await fetch(`${gw.url}/admin/reset`, { method: "POST" });
  await gw.callbacks.idle();
  assert.equal(await stats(gw), { sessions: 0, charges: 0, declines: 0, refunds: 0, callbacks_sent: 0, callback_failures: 0 });
});

test.run();
