import nodemailer, { type Transporter } from "nodemailer";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startSmtpSink, type RunningSmtpSink, type StoredMessage } from "./smtp-sink.js";

let sink: RunningSmtpSink;
let transport: Transporter;
test.before(async () => {
  sink = await startSmtpSink();
  // What the mailer service does: plain SMTP, no TLS, no auth.
  transport = nodemailer.createTransport({ host: "127.0.0.1", port: sink.smtpPort, secure: false, ignoreTLS: true });
});
test.after(async () => {
  transport.close();
  await sink.close();
});
test.before.each(async () => {
  assert.is((await fetch(`${sink.url}/api/messages`, { method: "DELETE" })).status, 200);
});

const messages = async (query = "") => (await (await fetch(`${sink.url}/api/messages${query}`)).json()) as StoredMessage[];

const invoice = {
  from: '"Itinera" <no-reply@itinera.test>',
  to: "ana@example.test",
  subject: "Your booking res_1 is confirmed",
  text: "Hotel Aurora, 2 nights. Total EUR 123.45.",
  html: "<h1>Confirmed</h1><p>Hotel Aurora &amp; <b>2 nights</b></p><script>alert(1)</script>",
  messageId: "<res_1.confirmed@itinera.test>",
  headers: { "X-Itinera-Event": "ev_1" },
};

test("a message sent with nodemailer is stored with its fields and read back from /api/messages", async () => {
  const info = await transport.sendMail(invoice);
  assert.equal(info.accepted, ["ana@example.test"]);
  assert.match(info.response ?? "", /stored as m\d+/);
  const [m, ...rest] = await messages();
  assert.is(rest.length, 0);
  assert.match(m!.id, /^m\d+$/);
  assert.is(m!.message_id, "<res_1.confirmed@itinera.test>");
  assert.equal(m!.to, ["ana@example.test"]);
  assert.is(m!.from, '"Itinera" <no-reply@itinera.test>');
  assert.is(m!.subject, "Your booking res_1 is confirmed");
  assert.is(m!.text.trim(), "Hotel Aurora, 2 nights. Total EUR 123.45.");
  assert.match(m!.html!, /<h1>Confirmed<\/h1>/);
  assert.is(m!.headers["x-itinera-event"], "ev_1");
  assert.is(m!.headers.subject, "Your booking res_1 is confirmed");
  assert.ok(Math.abs(Date.parse(m!.received_at) - Date.now()) < 60_000);
  assert.is(m!.duplicate, false);
  assert.equal(await (await fetch(`${sink.url}/api/messages/${m!.id}`)).json(), m);
  assert.equal(await (await fetch(`${sink.url}/admin/stats`)).json(), { messages: 1 });
});

test("every delivery is kept: the same message twice is stored twice, the second marked duplicate", async () => {
  await transport.sendMail(invoice);
  await transport.sendMail(invoice);
  const stored = await messages();
  assert.is(stored.length, 2);
  assert.equal(stored.map((m) => m.message_id), [invoice.messageId, invoice.messageId]);
  assert.equal(stored.map((m) => m.duplicate), [false, true]);
  assert.is.not(stored[0]!.id, stored[1]!.id);
  const inbox = await (await fetch(`${sink.url}/`)).text();
  assert.is(inbox.match(/Your booking res_1 is confirmed/g)?.length, 2);
  assert.is(inbox.match(/class="dup"/g)?.length, 1);
  assert.ok(inbox.indexOf(`/messages/${stored[1]!.id}`) < inbox.indexOf(`/messages/${stored[0]!.id}`), "newest first");
});

test("?to= filters by recipient (any case); every envelope recipient is listed", async () => {
  await transport.sendMail({ ...invoice, messageId: "<a@itinera.test>", to: "ana@example.test, Bo@Example.test" });
  await transport.sendMail({ ...invoice, messageId: "<b@itinera.test>", to: "carla@example.test" });
  assert.equal((await messages()).map((m) => m.to), [["ana@example.test", "Bo@example.test"], ["carla@example.test"]]);
  assert.equal((await messages("?to=bo@EXAMPLE.test")).map((m) => m.message_id), ["<a@itinera.test>"]);
  assert.equal((await messages("?to=CARLA@example.test")).map((m) => m.message_id), ["<b@itinera.test>"]);
  assert.equal(await messages("?to=nobody@example.test"), []);
});

test("the message page shows an HTML body in a sandboxed iframe (escaped), a text-only one as text", async () => {
  await transport.sendMail(invoice);
  await transport.sendMail({ ...invoice, messageId: "<t@itinera.test>", html: undefined, text: "Plain <text> only" });
  const [html, text] = await messages();
  assert.is(text!.html, null);
  const page = await (await fetch(`${sink.url}/messages/${html!.id}`)).text();
  assert.match(page, /<iframe title="Message body" sandbox srcdoc="&lt;h1&gt;Confirmed&lt;\/h1&gt;/);
  assert.not.match(page, /<script>alert/);
  const textPage = await (await fetch(`${sink.url}/messages/${text!.id}`)).text();
  assert.match(textPage, /<pre>Plain &lt;text&gt; only/);
  assert.is((await fetch(`${sink.url}/messages/m999999`)).status, 404);
  assert.is((await fetch(`${sink.url}/api/messages/m999999`)).status, 404);
});

test("DELETE /api/messages forgets everything", async () => {
  await transport.sendMail(invoice);
  assert.is((await messages()).length, 1);
  assert.equal(await (await fetch(`${sink.url}/api/messages`, { method: "DELETE" })).json(), { messages: 0 });
  assert.equal(await messages(), []);
  assert.match(await (await fetch(`${sink.url}/`)).text(), /No messages yet/);
});

test.run();
