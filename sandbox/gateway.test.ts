import { test } from "uvu";
import * as assert from "uvu/assert";
import { startGateway, type RunningGateway } from "./gateway.js";
import { sessionBody, signedPost, startReceiver, submitCard, TEST_SECRET, type Receiver } from "./gateway.testing.js";

let gw: RunningGateway;
let receiver: Receiver;
test.before(async () => {
  receiver = await startReceiver();
  gw = await startGateway({ secret: TEST_SECRET, callbacks: { retryBaseMs: 10, retryMaxMs: 20, maxAttempts: 3 } });
});
test.after(async () => {
  await gw.close();
  await receiver.close();
});
test.before.each(async () => {
  await fetch(`${gw.url}/admin/reset`, { method: "POST" });
  // No duplicates here (gateway-callbacks.test.ts covers them): these tests count callbacks.
  await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "once" }) });
  receiver.received.length = 0;
  receiver.failNext = 0;
});

const json = async (res: Response) => (await res.json()) as Record<string, unknown>;
const get = async (path: string) => json(await fetch(gw.url + path));

async function openSession(ref: string, amountMinor?: number): Promise<string> {
  const res = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, ref, amountMinor));
  assert.is(res.status, 201);
  return (await json(res)).session_id as string;
}

test("a session opens once per merchant_ref: 201, then 200 with the same session; another amount is 409", async () => {
  const first = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, "pay_1"));
  assert.is(first.status, 201);
  const body = await json(first);
  assert.match(body.session_id as string, /^gs_[A-Za-z0-9_-]+$/);
  assert.equal(body, { session_id: body.session_id, card_page_url: `${gw.url}/pay/${body.session_id}`, status: "open" });
  const again = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, "pay_1"));
  assert.is(again.status, 200);
  assert.equal(await json(again), body);
  const other = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, "pay_1", 999));
  assert.is(other.status, 409);
  assert.match((await json(other)).error as string, /pay_1/);
  assert.equal(await get(`/api/sessions/${body.session_id}`), {
    session_id: body.session_id, merchant_ref: "pay_1", status: "open", amount_minor: 12_345, currency: "EUR", refunded_minor: 0,
  });
  assert.is((await get("/admin/stats")).sessions, 1);
  assert.is((await fetch(`${gw.url}/api/sessions/gs_nope`)).status, 404);
});

test("unsigned, wrongly signed and stale calls are 401 and open nothing; bad fields are 400 naming the field", async () => {
  const body = JSON.stringify(sessionBody(receiver, "pay_2"));
  const unsigned = await fetch(`${gw.url}/api/sessions`, { method: "POST", body });
  assert.is(unsigned.status, 401);
  assert.match((await json(unsigned)).error as string, /missing x-gateway-signature/);
  assert.is((await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, "pay_2"), "another-secret")).status, 401);
  const stale = await signedPost(`${gw.url}/api/sessions`, sessionBody(receiver, "pay_2"), TEST_SECRET, Math.floor(Date.now() / 1000) - 301);
  assert.is(stale.status, 401);
  assert.match((await json(stale)).error as string, /300 s/);
  assert.is((await get("/admin/stats")).sessions, 0);

  const bad = async (patch: Record<string, unknown>) => {
    const res = await signedPost(`${gw.url}/api/sessions`, { ...sessionBody(receiver, "pay_3"), ...patch });
    assert.is(res.status, 400);
    return (await json(res)).error as string;
  };
  assert.match(await bad({ amount_minor: -5 }), /"amount_minor"/);
  assert.match(await bad({ amount_minor: 1.5 }), /"amount_minor"/);
  assert.match(await bad({ currency: "euro" }), /"currency"/);
  assert.match(await bad({ callback_url: "ftp://example.test/x" }), /"callback_url"/);
  assert.match(await bad({ merchant_ref: "" }), /"merchant_ref"/);
  assert.is((await get("/admin/stats")).sessions, 0);
});

test("the card page is a plain accessible form: amount in major units, labelled fields, test cards, escaped text", async () => {
  const res = await signedPost(`${gw.url}/api/sessions`, { ...sessionBody(receiver, "pay_4"), description: "Room <b>&</b> \"board\"" });
  const id = (await json(res)).session_id as string;
  const page = await fetch(`${gw.url}/pay/${id}`);
  assert.is(page.status, 200);
  assert.match(page.headers.get("content-type")!, /^text\/html/);
  const html = await page.text();
  assert.match(html, /<html lang="en">/);
  assert.match(html, /name="viewport" content="width=device-width, initial-scale=1"/);
  assert.match(html, /EUR 123\.45/);
  assert.match(html, /Room &lt;b&gt;&amp;&lt;\/b&gt; &quot;board&quot;/);
  assert.not.match(html, /<b>&<\/b>/);
  for (const [id_, autocomplete] of [["card_number", "cc-number"], ["expiry", "cc-exp"], ["cvc", "cc-csc"], ["name", "cc-name"]]) {
    assert.match(html, new RegExp(`<label for="${id_}">`));
    assert.match(html, new RegExp(`id="${id_}" name="${id_}"[^>]*autocomplete="${autocomplete}"`, "s"));
  }
  assert.match(html, /id="card_number"[^>]*inputmode="numeric"/s);
  assert.match(html, /<form method="post" action="\/pay\/gs_/);
  assert.match(html, /<button type="submit">Pay EUR 123\.45<\/button>/);
  for (const card of ["4242 4242 4242 4242", "4000 0000 0000 0002", "4000 0000 0000 0119"]) assert.ok(html.includes(card), card);
  const unknown = await fetch(`${gw.url}/pay/gs_unknown`);
  assert.is(unknown.status, 404);
  assert.match(await unknown.text(), /Payment not found/);
});

test("an invalid card number shows the page again with the error (400) and decides nothing", async () => {
  const id = await openSession("pay_5");
  for (const [card, error] of [
    ["", /Enter the card number/],
    ["4242 4242", /must be 16 digits/],
    ["4242 4242 4242 4241", /not valid: check the digits/],
    ["5555 5555 5555 4444", /only knows the test cards/],
  ] as const) {
    const res = await submitCard(gw.url, id, card);
    assert.is(res.status, 400, card);
    const html = await res.text();
    assert.match(html, error);
    assert.match(html, /role="alert"/);
    assert.match(html, /aria-invalid="true" aria-describedby="card-error"/);
    assert.not.match(html, /<input[^>]*value=/, "what was typed is never written back");
  }
  assert.is((await get(`/api/sessions/${id}`)).status, "open");
  assert.equal(await get("/admin/stats"), { sessions: 1, charges: 0, declines: 0, refunds: 0, callbacks_sent: 0, callback_failures: 0 });
});

test("4242… authorises: one charge, the signed callback delivered, then 303 to return_url with payment_id and status", async () => {
  const id = await openSession("pay_6");
  const res = await submitCard(gw.url, id, "4242 4242 4242 4242");
  assert.is(res.status, 303);
  assert.is(res.headers.get("location"), "http://127.0.0.1:9/checkout/return?from=gateway&payment_id=pay_6&status=authorised");
  assert.is(receiver.received.length, 1, "delivered before the browser is sent back");
  const [cb] = receiver.received;
  assert.is(cb!.problem, undefined, "signed with the shared secret");
  assert.match(cb!.body.event_id as string, /^ge_/);
  assert.equal(cb!.body, {
    event_id: cb!.body.event_id, session_id: id, merchant_ref: "pay_6", status: "authorised", amount_minor: 12_345, currency: "EUR", reason: "",
  });
  assert.is((await get(`/api/sessions/${id}`)).status, "authorised");
  const decided = await (await fetch(`${gw.url}/pay/${id}`)).text();
  assert.match(decided, /This payment was accepted/);
  assert.match(decided, /href="http:\/\/127\.0\.0\.1:9\/checkout\/return\?from=gateway&amp;payment_id=pay_6&amp;status=authorised"/);
});

test("4000…0002 is declined with the issuer's reason; nothing is charged", async () => {
  const id = await openSession("pay_7");
  const res = await submitCard(gw.url, id, "4000000000000002");
  assert.is(res.status, 303);
  assert.match(res.headers.get("location")!, /payment_id=pay_7&status=declined$/);
  assert.is(receiver.received[0]!.body.status, "declined");
  assert.is(receiver.received[0]!.body.reason, "The card was declined by its issuer.");
  const stats = await get("/admin/stats");
  assert.equal([stats.charges, stats.declines], [0, 1]);
  assert.equal(await get("/admin/ledger"), [{ session_id: id, merchant_ref: "pay_7", status: "declined", charges: 0, refunded_minor: 0, refunds: 0 }]);
});

test("4000…0119 never answers: the page says processing, no callback is ever sent, the session stays processing", async () => {
  const id = await openSession("pay_8");
  const res = await submitCard(gw.url, id, "4000 0000 0000 0119");
  assert.is(res.status, 200);
  assert.match(await res.text(), /Your payment is processing/);
  const again = await submitCard(gw.url, id, "4242 4242 4242 4242");
  assert.match(await again.text(), /processing/, "a second card does not unstick it");
  assert.match(await (await fetch(`${gw.url}/pay/${id}`)).text(), /processing/);
  await gw.callbacks.idle();
  assert.is(receiver.received.length, 0);
  assert.is((await get(`/api/sessions/${id}`)).status, "processing");
  assert.is((await get("/admin/stats")).charges, 0);
});

test("a double submit charges once: concurrent and later submissions get the same 303 and nothing more", async () => {
  const id = await openSession("pay_9");
  const answers = await Promise.all([1, 2, 3].map(() => submitCard(gw.url, id, "4242424242424242")));
  const later = await submitCard(gw.url, id, "4000000000000002");
  for (const res of [...answers, later]) {
    assert.is(res.status, 303);
    assert.match(res.headers.get("location")!, /payment_id=pay_9&status=authorised$/);
  }
  await gw.callbacks.idle();
  assert.is(new Set(receiver.received.map((r) => r.body.event_id)).size, 1, "one decision, one event");
  assert.equal(await get("/admin/ledger"), [{ session_id: id, merchant_ref: "pay_9", status: "authorised", charges: 1, refunded_minor: 0, refunds: 0 }]);
  assert.is((await get("/admin/stats")).charges, 1);
});

test("refunds: idempotent by key, never more than charged (422), only of a charged session (409), signed (401)", async () => {
  const id = await openSession("pay_10", 10_000);
  const refund = (key: string, amount: number, sessionId = id, secret?: string) =>
    signedPost(`${gw.url}/api/refunds`, { idempotency_key: key, session_id: sessionId, amount_minor: amount }, secret);
  assert.is((await refund("k0", 100)).status, 409, "not charged yet");
  await submitCard(gw.url, id, "4242424242424242");

  const first = await refund("refund:fail:res_1", 4_000);
  assert.is(first.status, 200);
  const answer = await json(first);
  assert.match(answer.refund_id as string, /^gr_/);
  assert.equal(answer, { refund_id: answer.refund_id, status: "refunded", refunded_minor: 4_000 });
  const replay = await refund("refund:fail:res_1", 4_000);
  assert.equal(await json(replay), answer, "the same answer");
  assert.equal(await json(await refund("refund:fail:res_1", 9_999)), answer, "the key decides, not the body");
  const over = await refund("refund:cancel:res_1", 6_001);
  assert.is(over.status, 422);
  assert.match((await json(over)).error as string, /6000 left/);
  assert.is((await refund("refund:cancel:res_1", 6_000, id, "wrong-secret")).status, 401);
  assert.is((await refund("refund:cancel:res_1", 0)).status, 400);
  assert.is((await refund("refund:cancel:res_1", 5, "gs_unknown")).status, 404);
  const rest = await refund("refund:cancel:res_1", 6_000);
  assert.equal((await json(rest)).refunded_minor, 10_000);
  assert.equal(await get("/admin/ledger"), [{ session_id: id, merchant_ref: "pay_10", status: "authorised", charges: 1, refunded_minor: 10_000, refunds: 2 }]);
  assert.is((await get(`/api/sessions/${id}`)).refunded_minor, 10_000);
  assert.is((await get("/admin/stats")).refunds, 2);
});

test("admin: mode is validated; reset forgets sessions, counters and the mode", async () => {
  const id = await openSession("pay_11");
  const bad = await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "sometimes" }) });
  assert.is(bad.status, 400);
  const set = await fetch(`${gw.url}/admin/mode`, { method: "POST", body: JSON.stringify({ callbacks: "once" }) });
  assert.equal(await json(set), { callbacks: "once" });
  await fetch(`${gw.url}/admin/reset`, { method: "POST" });
  assert.equal(await get("/admin/mode"), { callbacks: "normal" });
  assert.equal(await get("/admin/ledger"), []);
  assert.is((await get("/admin/stats")).sessions, 0);
  assert.is((await fetch(`${gw.url}/pay/${id}`)).status, 404);
  assert.equal(await get("/healthz"), { status: "ok" });
});

test.run();
