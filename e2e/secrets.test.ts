// Service identity and seller pushes over the real processes (`make start`'s
// supervisor, every service its own process, each with its own credential):
// the mailer's credential cannot obtain a booking token; and at the sellers'
// webhook a push signed by wanderly's key is taken once, its exact replay is
// answered as a duplicate that writes nothing, while the same captured push
// re-sent under a new, unsigned push id, or replayed after the ±300 s window,
// or signed with another key, is refused — nothing written for any of them.
import { randomUUID } from "node:crypto";
import pg from "pg";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../endpoints/errors.js";
import { samplePushBody } from "../services/sellers/fixture.js";
import { signPush } from "../services/sellers/push.js";
import { startMarketplace, type Marketplace } from "./marketplace.fixture.js";

let m: Marketplace;

test.before(async () => {
  // Identity, and sellers with the services a push writes to: the rest of the marketplace (the pull sellers'
  // sandboxes included: their syncs are not under test) plays no part.
  m = await startMarketplace({}, { only: ["identity", "catalog", "pricing", "sellers"] });
});
test.after(async () => {
  await m?.close();
});

const failure = (p: Promise<unknown>) =>
  p.then(
    () => assert.unreachable("expected a refusal"),
    (e: unknown) => (e instanceof KitError ? e : assert.unreachable(String(e))),
  ) as Promise<KitError>;

test("the mailer's credential cannot obtain a booking token; each service's obtains its own only", async () => {
  const identity = m.clients.identity;
  const asBooking = await failure(identity.issueServiceToken(m.ctx(), { serviceName: "booking", secret: m.secrets.service("mailer") }));
  assert.is(asBooking.code, Code.PermissionDenied);
  assert.match(asBooking.message, /credential of the mailer service, not of booking/);
  const mailer = await identity.issueServiceToken(m.ctx(), { serviceName: "mailer", secret: m.secrets.service("mailer") });
  const claims = JSON.parse(Buffer.from(mailer.accessToken.split(".")[1]!, "base64url").toString()) as { sub: string };
  assert.is(claims.sub, "mailer");
  const shared = await failure(identity.issueServiceToken(m.ctx(), { serviceName: "booking", secret: "itinera-development-service-secret-booking" }));
  assert.is(shared.code, Code.Unauthenticated, "a development secret is nobody's credential in this deployment");
});

test("a replayed push is refused over the real processes: new unsigned push id, outside the window, wrong key", async () => {
  const webhook = `${m.system.url("sellers")}/webhooks/wanderly`;
  const pushId = randomUUID();
  const body = samplePushBody(pushId);
  const now = Math.floor(Date.now() / 1000);
  const headers = (id: string, signature: string) => ({ "content-type": "application/json", "x-wanderly-push-id": id, "x-wanderly-signature": signature });
  const post = async (h: Record<string, string>, bytes = body) => {
    const res = await fetch(webhook, { method: "POST", body: new Uint8Array(bytes), headers: h });
    return { status: res.status, json: (await res.json()) as Record<string, unknown> };
  };
  const captured = headers(pushId, signPush(m.secrets.wanderlyWebhookKey, pushId, body, now));

  const first = await post(captured);
  assert.equal([first.status, first.json.duplicate], [200, false]);
  const again = await post(captured);
  assert.equal([again.status, again.json.duplicate], [200, true], "the same push id again: answered, written once");

  const renamed = await post({ ...captured, "x-wanderly-push-id": randomUUID() });
  assert.equal([renamed.status, renamed.json.code], [403, "PERMISSION_DENIED"]);
  const lateId = randomUUID();
  const lateBody = samplePushBody(lateId);
  const late = await post(headers(lateId, signPush(m.secrets.wanderlyWebhookKey, lateId, lateBody, now - 301)), lateBody);
  assert.equal([late.status, late.json.code], [401, "UNAUTHENTICATED"]);
  const otherKeyId = randomUUID();
  const otherBody = samplePushBody(otherKeyId);
  const otherKey = await post(headers(otherKeyId, signPush("itinera-development-webhook-key-wanderly", otherKeyId, otherBody, now)), otherBody);
  assert.equal([otherKey.status, otherKey.json.code], [403, "PERMISSION_DENIED"]);

  const db = new pg.Client({ connectionString: m.databaseUrl });
  await db.connect();
  try {
    const ids = (await db.query("select push_id from sellers.pushes where push_id = any($1)", [[pushId, lateId, otherKeyId]])).rows.map((r: { push_id: string }) => r.push_id);
    assert.equal(ids, [pushId], "only the genuine push was recorded, once");
  } finally {
    await db.end();
  }
});

test.run();
