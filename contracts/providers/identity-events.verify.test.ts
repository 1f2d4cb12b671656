// Identity's events against every committed pact that names
// "identity-events" (the mailer's): for each message, identity's real
// service (services/identity/fixture.ts: its own database with the
// "identity" and "bus" schemas) signs an address up — a new one, or one
// with a confirmed account — and the message it published in that
// transaction is read back from the bus's log and handed to Pact in
// protobuf JSON with its topic and key.
//
// And the check that verification can fail: the same identity, except that
// its verification event leaves out the link's token, must not pass.
import { randomBytes } from "node:crypto";
import { basename } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { clone } from "@bufbuild/protobuf";
import { localClient, type Client } from "../../endpoints/service.js";
import { AccountEventSchema, type AccountEvent } from "../../gen/itinera/identity/v1/events_pb.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { type Publisher } from "../../services/identity/events.js";
import { identityFixture, TEST_SERVICE_CREDENTIALS, type IdentityFixture } from "../../services/identity/fixture.js";
import { identityService } from "../../services/identity/service.js";
import { busLog, verifyMessageProvider, type MessageProducer } from "../message-provider.js";
import type { ProviderStates } from "../pact.js";
import { topicOf } from "../../endpoints/bus.js";

const PASSWORD = "pact-provider-state";
let f: IdentityFixture;
let log: ReturnType<typeof busLog>;
/** The address the last state prepared, for the sign-up that follows it. */
let address: string | undefined;

const newAddress = () => `pact.${randomBytes(6).toString("hex")}@example.com`;

const states: ProviderStates = {
  async "a new address signed up"() {
    address = newAddress();
  },
  async "a registered address signed up again"() {
    address = newAddress();
    await f.signedUp(address, PASSWORD, "Registered Owner");
  },
};

/** Each message the mailer describes: the prepared address signed up through `identity`, the one event it published read back. */
function producers(identity: Client<typeof IdentityService>): Record<string, MessageProducer> {
  const signUp: MessageProducer = async () => {
    const email = address;
    address = undefined;
    if (!email) throw new Error("no provider state prepared the address this message needs");
    const mark = await log.mark();
    await identity.signUp(f.ctx, { email, password: PASSWORD, displayName: "Pact Traveller" });
    const customer = await f.store.customerByEmail(email);
    return log.publishedOne(mark, topicOf(AccountEventSchema).name, AccountEventSchema, customer!.customerId);
  };
  return { "a sign-up's verification link": signUp, "a sign-up for an existing account": signUp };
}

/** The real bus, except that a verification event goes out without the link's token. */
function withoutToken(bus: Publisher): Publisher {
  return {
    publish(outbox, _topic, key, message, ctx) {
      const event = clone(AccountEventSchema, message as unknown as AccountEvent);
      if (event.event.case === "emailVerificationRequested") event.event.value.token = "";
      return bus.publish(outbox, topicOf(AccountEventSchema), key, event, ctx);
    },
  };
}

test.before(async () => {
  f = await identityFixture();
  log = busLog(f.database.knex);
});
test.after(async () => {
  await f?.close();
});

test("identity publishes every event its consumers' pacts describe", async () => {
  const result = await verifyMessageProvider("identity-events", producers(f.client), states);
  assert.equal(result.pacts.map((p) => basename(p)), ["mailer-identity-events.json"]);
  assert.is(result.interactions, 2);
});

test("an identity whose verification event leaves out the link's token fails the mailer's pact", async () => {
  const leaky = localClient(IdentityService, identityService({ store: f.store, signer: f.signer, bus: withoutToken(f.bus), serviceCredentials: TEST_SERVICE_CREDENTIALS }));
  const error = await verifyMessageProvider("identity-events", producers(leaky), states).then(
    () => undefined,
    (e: unknown) => e as Error,
  );
  assert.instance(error, Error, "verification must fail");
  assert.match(error!.message, /a sign-up's verification link/);
  assert.match(error!.message, /token/);
});

test.run();
