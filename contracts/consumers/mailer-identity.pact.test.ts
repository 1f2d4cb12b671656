// mailer → identity: what the mailer's notifier (services/mailer/notifier.ts)
// needs from IdentityService.GetCustomer to write to a customer, written by
// running the notifier on its own store and a real SMTP server in-process
// (services/mailer/fixture.ts) with identity over Connect JSON against
// Pact's mock server.
//
// The call carries the mailer's service token (GetCustomer is for services
// only). Customer ids are identity's: the state signs a customer up and the
// verifier sends its id. The mailer reads the e-mail address (the
// recipient) and the display name (the greeting and the To: name). It
// handles NOT_FOUND: no address to write to, so it fails the delivery with
// an error naming the customer (retried, then dead-lettered where operators
// see it) and sends nothing. Its identity access (main.ts) adds the two
// calls every service makes: the JWK set its token verifier fetches, and
// its own service token (identity-access.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import type { Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { mailerFixture, reservation, reservationEvent, type MailerFixture } from "../../services/mailer/fixture.js";
import { MAILER_GROUP, reservationNotifier } from "../../services/mailer/notifier.js";
import { connectError, connectRequest, connectResponse, consumerPact, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { jwksInteraction, serviceTokenInteraction } from "./identity-access.js";
import { topicOf } from "../../endpoints/bus.js";
import { ReservationEventSchema } from "../../gen/itinera/booking/v1/events_pb.js";

const { fromProviderState, like, regex } = Matchers;
let pact: ConsumerPact;
let f: MailerFixture;

/** The mailer's own principal, as identityAccess(...).tokens.principal gives it in main.ts. */
const MAILER: Principal = { kind: "service", id: "mailer", roles: [], token: "mailer-service-token" };
const CUSTOMER_ID_EXAMPLE = "3f6d2c8e-5b1a-4e7f-9c0d-8a2b4e6f1c3d";
const UNKNOWN_CUSTOMER = "00000000-0000-4000-8000-00000000dead";
const CUSTOMER = { email: "ana.lima@example.com", displayName: "Ana Lima" };

let messages = 0n;
/** The notifier with identity at `url`, handed one event as the bus would. */
function notify(url: string, kind: "confirmed" | "failed", customerId: string) {
  const notifier = reservationNotifier({ store: f.store, identity: overWire(IdentityService, url), sender: f.sender, principal: async () => MAILER });
  const r = reservation({ customerId });
  const meta = { messageId: ++messages, topic: topicOf(ReservationEventSchema).name, key: r.reservationId, group: MAILER_GROUP, attempt: 1, publishedAt: new Date() };
  return { r, done: notifier(f.ctx, reservationEvent(kind, r), meta) };
}

test.before(async () => {
  pact = await consumerPact("mailer", "identity");
  f = await mailerFixture();
});
test.after(async () => {
  await pact?.close();
  await f?.close();
});

test("a customer identity knows: the invoice goes to their address, greeting them by name", async () => {
  const sent = await pact
    .interaction()
    .given("a customer has signed up", CUSTOMER)
    .uponReceiving("a request for a customer's contact details")
    .withRequest(
      ...withBearer(
        connectRequest(IdentityService.method.getCustomer, { customerId: CUSTOMER_ID_EXAMPLE }, () => ({
          customerId: fromProviderState("${customerId}", CUSTOMER_ID_EXAMPLE),
        })),
      ),
    )
    .willRespondWith(...connectResponse({ email: regex(/^[^@\s]+@[^@\s]+$/, CUSTOMER.email), displayName: like(CUSTOMER.displayName) }))
    .executeTest(async (mock) => {
      const { r, done } = notify(mock.url, "confirmed", CUSTOMER_ID_EXAMPLE);
      await done;
      return r;
    });
  const [d, ...more] = f.smtp.deliveries.filter((x) => x.messageId.includes(sent!.reservationId));
  assert.equal(more, []);
  assert.equal(d?.rcptTo, [CUSTOMER.email]);
  assert.is(d?.to, `"${CUSTOMER.displayName}" <${CUSTOMER.email}>`);
  assert.match(d!.text, CUSTOMER.displayName);
});

test("a customer identity does not know (NOT_FOUND): no e-mail, an error naming the customer", async () => {
  const failure = await pact
    .interaction()
    .given("no customer has the id", { customerId: UNKNOWN_CUSTOMER })
    .uponReceiving("a request for the contact details of an unknown customer")
    .withRequest(...withBearer(connectRequest(IdentityService.method.getCustomer, { customerId: UNKNOWN_CUSTOMER })))
    .willRespondWith(...connectError(Code.NotFound))
    .executeTest(async (mock) => {
      const { r, done } = notify(mock.url, "failed", UNKNOWN_CUSTOMER);
      return { r, error: await done.then(() => undefined, (e: unknown) => (e instanceof Error ? e.message : String(e))) };
    });
  assert.match(failure?.error ?? "", `customer ${UNKNOWN_CUSTOMER} is unknown to identity (NOT_FOUND)`);
  assert.equal(f.smtp.deliveries.filter((x) => x.messageId.includes(failure!.r.reservationId)), []);
  assert.equal(await f.db.knex("emails").where({ reservation_id: failure!.r.reservationId }), []);
});

test("mailer's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "mailer"));
test("mailer's own token: IssueServiceToken with its name and secret", () => serviceTokenInteraction(pact, "mailer"));

test("the pact is the committed contracts/pacts/mailer-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
