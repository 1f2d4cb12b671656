// The mailer as a real process (`node --import tsx services/mailer/main.ts`)
// on a fresh database, against a fake identity served over gRPC (tokens,
// JWKS, GetCustomer) and a real SMTP server in the test process. Events are
// published on the bus as booking would. It sends one e-mail per event; killed
// with SIGKILL while the SMTP server holds its reply, the restarted process
// sends it again with the same Message-ID (the window that remains) and
// records it once; a lost acknowledgement sends nothing; SIGTERM finishes the
// message in hand, then exits 0. No address or name in its logs.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { kitRejection } from "../../endpoints/testing.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { EmailKind, MailerService } from "../../gen/itinera/mailer/v1/mailer_pb.js";
import { openDatabase, type Database } from "../../platform/db.js";
import { freePort, startProcess, until, type TestProcess } from "../../platform/processes.testing.js";
import { testDatabase, type TestDatabase } from "../../platform/testing.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { PostgresBus } from "../../transport/bus/postgres-bus.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { jwksRoute } from "../identity/jwks-route.js";
import { newSigningKey, signerOf, type TokenSigner } from "../identity/signing-keys.js";
import { bearerAuthenticator, tokenVerifier } from "../identity/verifier.js";
import { BUS_MIGRATIONS, CUSTOMER, fakeIdentity, reservation, reservationEvent, type EventCase } from "./fixture.js";
import { MAILER_GROUP, messageIdOf } from "./notifier.js";
import { startFakeSmtp, type FakeSmtp } from "./smtp.fixture.js";
import { postgresOutbox } from "../../transport/bus/outbox.js";
import { topicOf } from "../../endpoints/bus.js";

const log = pino({ level: "silent" });
const SECRET = "mailer-test-service-secret";
let db: TestDatabase;
let busDb: Database;
let bus: PostgresBus;
let smtp: FakeSmtp;
let signer: TokenSigner;
let identity: RunningServer;
let tracing: Tracing;
let mailer: TestProcess;
let client: Client<typeof MailerService>;
const processes: TestProcess[] = [];

async function startMailer(): Promise<void> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  mailer = startProcess("services/mailer/main.ts", {
    MAILER_PORT: String(port),
    DATABASE_URL: db.url,
    SMTP_URL: smtp.url,
    IDENTITY_URL: identity.url,
    SERVICE_SECRET: SECRET,
    LOG_LEVEL: "info",
  });
  processes.push(mailer);
  const started = mailer;
  await until("200 from /readyz", async () => {
    if (started.child.exitCode !== null) throw new Error(`the mailer exited with ${started.child.exitCode}: ${started.stderr()}`);
    return (await fetch(`${url}/readyz`).catch(() => undefined))?.status === 200 ? true : undefined;
  });
  client = clientOf(MailerService, grpcTransport(url));
}

const asService = async (): Promise<Context> =>
  backgroundContext({ log, principal: { kind: "service", id: "operator", roles: [], token: await signer.sign({ sub: "operator", roles: [], kind: "service" }, new Date(), 300) } });

async function publish(kind: EventCase, r = reservation()) {
  await bus.publish(postgresOutbox(busDb.knex), topicOf(ReservationEventSchema), r.reservationId, reservationEvent(kind, r));
  return r;
}

const deliveriesOf = (reservationId: string) => smtp.deliveries.filter((d) => d.messageId.includes(reservationId));

async function emailRow(reservationId: string) {
  const r = await busDb.knex.raw(`select kind, state, attempts from mailer.emails where reservation_id = ?`, [reservationId]);
  return r.rows as { kind: string; state: string; attempts: number }[];
}

async function pendingFor(key: string): Promise<number> {
  const r = await busDb.knex.raw(`select count(*)::int as n from bus.deliveries where group_name = ? and key = ?`, [MAILER_GROUP, key]);
  return r.rows[0].n;
}

test.before(async () => {
  db = await testDatabase();
  busDb = await openDatabase({ url: db.url, dataDir: ".data/unused", embeddedPort: 0, schema: "bus", migrationsDir: BUS_MIGRATIONS, log });
  bus = new PostgresBus({ knex: busDb.knex, log });
  smtp = await startFakeSmtp();
  const key = await newSigningKey(new Date());
  signer = await signerOf(key, [key]);
  const fake = fakeIdentity({ signer, serviceSecret: SECRET });
  tracing = createTracing({ serviceName: "identity" });
  const registry = new Registry();
  identity = await startServer({
    port: 0,
    log,
    routes: (router) =>
      serveService(router, IdentityService, endpointsOf(IdentityService, fake.impl, ...serverStack({ registry, tracer: tracing.tracer })), {
        log,
        authenticate: bearerAuthenticator(tokenVerifier({ getKeys: async () => signer.jwks })),
      }),
    http: jwksRoute(() => signer.jwks),
  });
  await startMailer();
});
test.after(async () => {
  try {
    await Promise.all(processes.map((p) => p.kill()));
    await bus?.close();
    await identity?.close(1_000);
    await tracing?.shutdown();
    await smtp?.close();
    await busDb?.close();
  } finally {
    await db?.drop();
  }
});

test("a confirmed event → one invoice to the customer; ListEmails (as a service) shows it, refuses a customer", async () => {
  const r = await publish("confirmed");
  await until("the invoice", () => (deliveriesOf(r.reservationId).length > 0 ? true : undefined), 15_000);
  await until("the acknowledgement", async () => ((await pendingFor(r.reservationId)) === 0 ? true : undefined));
  const [d, ...more] = deliveriesOf(r.reservationId);
  assert.equal(more, []);
  assert.is(d!.messageId, messageIdOf("invoice", r.reservationId));
  assert.equal(d!.rcptTo, [CUSTOMER.email]);
  const listed = await client.listEmails(await asService(), { reservationId: r.reservationId });
  assert.equal(listed.emails.map((e) => [e.messageId, e.kind]), [[d!.messageId, EmailKind.INVOICE]]);
  const customerToken = await signer.sign({ sub: CUSTOMER.customerId, roles: [], kind: "customer" }, new Date(), 300);
  const refused = await kitRejection(
    client.listEmails(backgroundContext({ log, principal: { kind: "customer", id: CUSTOMER.customerId, roles: [], token: customerToken } }), {
      reservationId: r.reservationId,
    }),
  );
  assert.is(refused.code, Code.PermissionDenied);
});

test("an acknowledgement lost after the e-mail was recorded: the redelivery sends nothing", async () => {
  const r = await publish("failed");
  await until("the apology", () => (deliveriesOf(r.reservationId).length > 0 ? true : undefined), 15_000);
  await until("the acknowledgement", async () => ((await pendingFor(r.reservationId)) === 0 ? true : undefined));
  // As if the process had died between its commit and the bus's delete: the delivery is back.
  await busDb.knex.raw(
    `insert into bus.deliveries (group_name, message_id, topic, key)
     select ?, id, topic, key from bus.messages where topic = ? and key = ?`,
    [MAILER_GROUP, topicOf(ReservationEventSchema).name, r.reservationId],
  );
  await busDb.knex.raw(`select pg_notify('bus_booking.reservations', '')`);
  const resends = mailer.lines.length;
  await until("the redelivery to be handled", async () => ((await pendingFor(r.reservationId)) === 0 ? true : undefined), 15_000);
  await until("the redelivery's log line", () =>
    mailer.lines.slice(resends).some((l) => l.includes("e-mail already sent; nothing to do")) ? true : undefined,
  );
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.equal(await emailRow(r.reservationId), [{ kind: "apology", state: "sent", attempts: 1 }]);
});

test("SIGKILL while the SMTP server holds its 250: restarted, it sends again with the same Message-ID and records one e-mail", async () => {
  smtp.mode = "hold";
  const r = await publish("cancelled");
  await until("the SMTP server to hold the message", () => (smtp.holding === 1 ? true : undefined), 15_000);
  await mailer.kill(); // SIGKILL: the server has the message; our row is still 'sending'
  assert.equal(await emailRow(r.reservationId), [{ kind: "cancellation", state: "sending", attempts: 1 }]);
  smtp.mode = "accept";
  smtp.release(); // its client is gone
  await startMailer();
  await until("the e-mail to be sent again", () => (deliveriesOf(r.reservationId).length === 2 ? true : undefined), 15_000);
  await until("the acknowledgement", async () => ((await pendingFor(r.reservationId)) === 0 ? true : undefined));
  const [first, second] = deliveriesOf(r.reservationId);
  assert.is(first!.messageId, messageIdOf("cancellation", r.reservationId));
  assert.is(second!.messageId, first!.messageId, "a duplicate, recognisable by its Message-ID");
  assert.equal(await emailRow(r.reservationId), [{ kind: "cancellation", state: "sent", attempts: 2 }]);
  const listed = await client.listEmails(await asService(), { reservationId: r.reservationId });
  assert.is(listed.emails.length, 1);
  // Its stdout may still be in the pipe when the acknowledgement is seen: wait for the line itself.
  await until("the restarted process to say it may be sending a duplicate", () =>
    mailer.lines.some((l) => l.includes("sending again")) ? true : undefined,
  );
});

test("SIGTERM while a message is being sent: it is finished and recorded, then the process exits 0", async () => {
  smtp.mode = "hold";
  const r = await publish("confirmed");
  await until("the SMTP server to hold the message", () => (smtp.holding === 1 ? true : undefined), 15_000);
  mailer.child.kill("SIGTERM");
  await until("'shutting down' in the log", () => (mailer.lines.some((l) => l.includes('"shutting down"')) ? true : undefined));
  smtp.mode = "accept";
  smtp.release();
  assert.is(await mailer.exited, 0, mailer.stderr());
  assert.ok(mailer.lines.some((l) => l.includes('"stopped"')));
  assert.is(deliveriesOf(r.reservationId).length, 1);
  assert.equal(await emailRow(r.reservationId), [{ kind: "invoice", state: "sent", attempts: 1 }]);
  assert.is(await pendingFor(r.reservationId), 0, "acknowledged before the consumer stopped");
});

test("no log line of any mailer process holds the customer's address or name", () => {
  const lines = processes.flatMap((p) => p.lines);
  assert.ok(lines.some((l) => l.includes('"e-mail sent"')), "the processes did log their sends");
  for (const line of lines) {
    assert.not.ok(line.includes(CUSTOMER.email) || line.includes(CUSTOMER.displayName), line);
  }
});

test("a bad MAILER_PORT or SMTP_URL stops the process with a message naming the variable", async () => {
  const bad = startProcess("services/mailer/main.ts", { MAILER_PORT: "abc", SMTP_URL: "not a url", DATABASE_URL: db.url });
  processes.push(bad);
  assert.is(await bad.exited, 1);
  assert.match(bad.stderr(), /MAILER_PORT must be an integer from 1 to 65535, got "abc"/);
  assert.match(bad.stderr(), /SMTP_URL must be an absolute URL/);
});

test.run();
