// The mailer process: itinera.mailer.v1.MailerService on MAILER_PORT (7009),
// Connect, gRPC and gRPC-Web on one port, over PostgreSQL schema "mailer",
// and the consumers (group "mailer") of booking's ReservationEvents and
// identity's AccountEvents on the event bus (BUS: schema "bus" of the same
// database by default, or NATS JetStream at NATS_URL); sign-up
// links point at WEB_PUBLIC_URL (http://127.0.0.1:8080). It reads customers' addresses from
// identity (IDENTITY_URL, as its own service principal: SERVICE_SECRET) and
// sends through the SMTP server at SMTP_URL (smtp://127.0.0.1:2525) as
// MAIL_FROM. A message that fails MAILER_MAX_ATTEMPTS (20) times — about a
// quarter of an hour with the bus's backoff — goes to the dead letters.
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { MailerService } from "../../gen/itinera/mailer/v1/mailer_pb.js";
import { config, int, port, str, url } from "../../platform/config.js";
import { startRuntime } from "../../platform/runtime.js";
import { onShutdown } from "../../platform/shutdown.js";
import { openBus } from "../../transport/bus/open.js";
import { serveService } from "../../transport/serve.js";
import { startServer } from "../../transport/server.js";
import { deadLetterEndpoints } from "../bus-admin/endpoints.js";
import { identityAccess, identitySettings } from "../identity/access.js";
import { accountEmails, subscribeAccountEmails } from "./account-emails.js";
import { MAILER_GROUP, reservationNotifier, subscribeNotifier } from "./notifier.js";
import { mailerService } from "./service.js";
import { smtpSender } from "./smtp.js";
import { EmailStore } from "./store.js";
import { mailerValidators } from "./validators.js";

async function main() {
  const rt = startRuntime("mailer", process.env);
  const { identityUrl, serviceSecret, ...cfg } = config(process.env, {
    port: port("MAILER_PORT", 7009),
    smtpUrl: url("SMTP_URL", "smtp://127.0.0.1:2525"),
    mailFrom: str("MAIL_FROM", "Itinera <bookings@itinera.example>"),
    maxAttempts: int("MAILER_MAX_ATTEMPTS", 20, { min: 1, max: 1000 }),
    webPublicUrl: url("WEB_PUBLIC_URL", "http://127.0.0.1:8080"),
    ...identitySettings("mailer"),
  });

  // The mailer's schema first: it may start the embedded PostgreSQL, which the bus's then shares.
  const db = await rt.openDatabase("mailer", new URL("./migrations", import.meta.url));
  const { bus, ...busEngine } = await openBus(rt, { service: "mailer", db, publishes: false });

  const auth = identityAccess({ identityUrl, serviceSecret, serviceName: "mailer", registry: rt.registry, tracer: rt.tracer, log: rt.log });
  const store = new EmailStore(db.knex);
  const sender = smtpSender({ url: cfg.smtpUrl, from: cfg.mailFrom, tracer: rt.tracer });

  const endpoints = endpointsOf(
    MailerService,
    mailerService({ store }),
    ...serverStack({ registry: rt.registry, tracer: rt.tracer, validators: mailerValidators() }),
  );
  const server = await startServer({
    port: cfg.port,
    host: rt.listenHost,
    log: rt.log,
    routes: (router) =>
      serveService(
        serveService(router, MailerService, endpoints, { log: rt.log, authenticate: auth.authenticate }),
        DeadLetterService,
        deadLetterEndpoints({ rt, groups: [MAILER_GROUP], deadLetters: busEngine.deadLetters }),
        { log: rt.log, authenticate: auth.authenticate },
      ),
    ready: async () => {
      const [own, events] = await Promise.all([db.ready(), busEngine.ready()]);
      return own === true ? events : own;
    },
    metrics: rt.registry,
  });

  const notifier = reservationNotifier({ store, identity: auth.identity, sender, principal: (ctx) => auth.tokens.principal(ctx) });
  const subscription = await subscribeNotifier(bus, notifier, { maxAttempts: cfg.maxAttempts });
  const accounts = await subscribeAccountEmails(
    bus,
    accountEmails({ store, identity: auth.identity, sender, principal: (ctx) => auth.tokens.principal(ctx), webPublicUrl: cfg.webPublicUrl }),
    { maxAttempts: cfg.maxAttempts },
  );
  rt.log.info({ smtp: redactUrl(cfg.smtpUrl) }, "mailer consuming booking.reservations and identity.accounts");

  onShutdown(rt.log, [
    { name: "server", close: () => server.close(10_000) },
    // Finishes the message in hand (its e-mail sent and recorded), then claims no more.
    { name: "consumer", close: () => subscription.stop() },
    { name: "account consumer", close: () => accounts.stop() },
    { name: "bus", close: busEngine.close },
    { name: "circuits", close: async () => auth.stack.breaker.close() },
    { name: "smtp", close: async () => sender.close() },
    { name: "tracing", close: rt.close },
    { name: "database", close: db.close },
  ]);
}

/** The SMTP URL without its password, for the log. */
function redactUrl(u: string): string {
  const parsed = new URL(u);
  if (parsed.password) parsed.password = "***";
  return parsed.toString();
}

main().catch((e: unknown) => {
  // Bad configuration or a database that cannot be reached: say why in one line, exit non-zero.
  console.error(`mailer failed to start: ${e instanceof Error ? e.message : String(e)}`);
  process.exit(1);
});
