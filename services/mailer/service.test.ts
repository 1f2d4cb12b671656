// ListEmails over the wire, wired as main.ts wires it (serverStack, the
// validators, serveService with authenticate): a service sees the e-mails
// sent about a reservation, oldest first, never one still 'sending'; a
// customer's token is refused, so is no token; a bad request names the field.
import { timestampDate } from "@bufbuild/protobuf/wkt";
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, type Context } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { endpointsOf, type Client } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { kitRejection } from "../../endpoints/testing.js";
import { EmailKind, MailerService } from "../../gen/itinera/mailer/v1/mailer_pb.js";
import type { Database } from "../../platform/db.js";
import { testServiceDatabase } from "../../platform/testing.js";
import { createTracing, type Tracing } from "../../platform/tracing.js";
import { clientOf, connectTransport, grpcTransport } from "../../transport/client.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type RunningServer } from "../../transport/server.js";
import { testTokens, type TestTokens } from "../identity/testing.js";
import { MIGRATIONS } from "./fixture.js";
import { mailerService } from "./service.js";
import { EmailStore } from "./store.js";
import { mailerValidators } from "./validators.js";

const log = pino({ level: "silent" });
let db: Database;
let tracing: Tracing;
let server: RunningServer;
let tokens: TestTokens;
let grpc: Client<typeof MailerService>;
let connect: Client<typeof MailerService>;

/** "service": the operator's tools, the one identity ListEmails names; "booking": a service it does not. */
const as = async (who: "service" | "booking" | "customer" | "nobody"): Promise<Context> =>
  backgroundContext({
    log,
    principal:
      who === "service" ? await tokens.service("operator") : who === "booking" ? await tokens.service("booking") : who === "customer" ? await tokens.customer("c-0001") : undefined,
  });

test.before(async () => {
  db = await testServiceDatabase({ schema: "mailer", migrationsDir: MIGRATIONS, log });
  tracing = createTracing({ serviceName: "mailer" });
  tokens = await testTokens();
  const registry = new Registry();
  const endpoints = endpointsOf(
    MailerService,
    mailerService({ store: new EmailStore(db.knex) }),
    ...serverStack({ registry, tracer: tracing.tracer, validators: mailerValidators() }),
  );
  server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, MailerService, endpoints, { log, authenticate: tokens.authenticate }),
    metrics: registry,
  });
  grpc = clientOf(MailerService, grpcTransport(server.url));
  connect = clientOf(MailerService, connectTransport(server.url, { binary: false }));

  // Three e-mails of res_A sent at known times (the cancellation first in the table), one still sending, one of res_B.
  const store = new EmailStore(db.knex);
  const row = async (rid: string, kind: "invoice" | "apology" | "cancellation", sentAt?: string) => {
    await store.startAttempt({ reservationId: rid, kind }, `<${kind}.${rid}@itinera.example>`, `${kind} of ${rid}`);
    if (sentAt) {
      await db.knex.raw(`update emails set state = 'sent', send_time = ? where reservation_id = ? and kind = ?`, [sentAt, rid, kind]);
    }
  };
  await row("res_A", "cancellation", "2026-11-03T10:00:00Z");
  await row("res_A", "invoice", "2026-11-01T10:00:00Z");
  await row("res_A", "apology");
  await row("res_B", "invoice", "2026-11-02T10:00:00Z");
});
test.after(async () => {
  await server?.close(5_000);
  await tracing?.shutdown();
  await db?.close();
});

test("a service lists a reservation's sent e-mails, oldest first, over gRPC and Connect JSON; a 'sending' one is not listed", async () => {
  for (const client of [grpc, connect]) {
    const res = await client.listEmails(await as("service"), { reservationId: "res_A" });
    assert.equal(
      res.emails.map((e) => [e.messageId, e.reservationId, e.kind, e.subject, timestampDate(e.sendTime!).toISOString()]),
      [
        ["<invoice.res_A@itinera.example>", "res_A", EmailKind.INVOICE, "invoice of res_A", "2026-11-01T10:00:00.000Z"],
        ["<cancellation.res_A@itinera.example>", "res_A", EmailKind.CANCELLATION, "cancellation of res_A", "2026-11-03T10:00:00.000Z"],
      ],
    );
  }
  assert.equal((await grpc.listEmails(await as("service"), { reservationId: "res_none" })).emails, []);
});

test("a customer's or another service's token → PERMISSION_DENIED; no token → UNAUTHENTICATED", async () => {
  const customer = await kitRejection(grpc.listEmails(await as("customer"), { reservationId: "res_A" }));
  assert.is(customer.code, Code.PermissionDenied);
  const booking = await kitRejection(grpc.listEmails(await as("booking"), { reservationId: "res_A" }));
  assert.is(booking.code, Code.PermissionDenied);
  assert.is(booking.message, 'ListEmails may be called by the service operator, not by the service "booking"');
  const nobody = await kitRejection(connect.listEmails(await as("nobody"), { reservationId: "res_A" }));
  assert.is(nobody.code, Code.Unauthenticated);
  const forged = await kitRejection(
    grpc.listEmails(backgroundContext({ log, principal: { kind: "service", id: "booking", roles: [], token: await tokens.foreignToken("booking") } }), {
      reservationId: "res_A",
    }),
  );
  assert.is(forged.code, Code.Unauthenticated);
});

test("an empty reservation_id → INVALID_ARGUMENT naming the field", async () => {
  const e = await kitRejection(grpc.listEmails(await as("service"), { reservationId: " " }));
  assert.is(e.code, Code.InvalidArgument);
  assert.equal(e.violations.map((v) => [v.field, v.rule]), [["reservation_id", "required"]]);
});

test.run();
