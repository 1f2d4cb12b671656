// web → bus: what the BFF's Operator page (services/web/operator.ts) needs
// from itinera.bus.v1.DeadLetterService, which every process that consumes
// events serves for its own groups (the mailer's here: one process stands for
// all five, the contract is the same), written by running the BFF
// (web-harness.ts) for a browser signed in as a person with the operator
// role, with the method under test over Connect JSON against Pact's mock server.
//
// Every call carries the PERSON's own token, which the BFF forwards (a
// DeadLetterService admits a person with the operator role, never the BFF by
// itself): in the provider's verification, the token of the state's operator
// (withCustomerBearer). ListDeadLetters: each letter's group, topic, key,
// message id, attempts, last error and failure time. Replay and Discard: the
// group and message id of a letter the state made; NOT_FOUND once it is gone.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { connectError, connectRequest, connectResponse, consumerPact, int64String, Matchers, withCustomerBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { withBff } from "./web-harness.js";

const { eachLike, fromProviderState, integer, like, regex } = Matchers;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;
const OPERATOR = { customerId: "c-401" };
let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("web", "bus");
});
test.after(async () => {
  await pact?.close();
});

const mailerOverWire = (url: string) => ({ mailer: overWire(DeadLetterService, url) });

test("ListOperatorDeadLetters: the process's dead letters, asked with the operator's own token", async () => {
  const answer = await pact
    .interaction()
    .given("a message of the mailer's group is a dead letter", OPERATOR)
    .uponReceiving("an operator's look at a process's dead letters, from the web")
    .withRequest(...withCustomerBearer(connectRequest(DeadLetterService.method.listDeadLetters, { limit: 50 })))
    .willRespondWith(
      ...connectResponse({
        deadLetters: eachLike({
          group: like("mailer"),
          topic: like("booking.reservations"),
          key: like("res_abcdefghijklmnopqrstuvwxyz"),
          messageId: int64String("42"),
          type: like("itinera.booking.v1.ReservationEvent"),
          attempts: integer(20),
          lastError: like("customer c-1 is unknown to identity (NOT_FOUND): no address for the invoice e-mail"),
          publishTime: regex(RFC3339_UTC, "2027-02-01T10:00:00Z"),
          failTime: regex(RFC3339_UTC, "2027-02-01T10:15:00Z"),
        }),
        groups: eachLike("mailer"),
      }),
    )
    .executeTest((mock) =>
      withBff({ deadLetters: { mailer: { listDeadLetters: mailerOverWire(mock.url).mailer.listDeadLetters } } }, async (bff) =>
        (await bff.signedInOperator(OPERATOR.customerId)).call("ListOperatorDeadLetters", {}),
      ),
    );
  assert.is(answer?.status, 200, JSON.stringify(answer?.body));
  const mailer = answer?.body.deadLetters.filter((d: { process: string }) => d.process === "mailer");
  assert.equal(mailer.map((d: { deadLetter: { group: string; messageId: string } }) => [d.deadLetter.group, d.deadLetter.messageId]), [["mailer", "42"]]);
});

for (const [method, bffMethod] of [
  ["replayDeadLetter", "ReplayOperatorDeadLetter"],
  ["discardDeadLetter", "DiscardOperatorDeadLetter"],
] as const) {
  test(`${bffMethod}: the letter the state made, by group and message id, as the operator`, async () => {
    const answer = await pact
      .interaction()
      .given("a message of the mailer's group is a dead letter", OPERATOR)
      .uponReceiving(`an operator's ${method === "replayDeadLetter" ? "replay" : "discard"} of a dead letter, from the web`)
      .withRequest(
        ...withCustomerBearer(
          connectRequest(DeadLetterService.method[method], { group: "mailer", messageId: 42n }, (json) => ({
            ...json,
            messageId: fromProviderState("${messageId}", "42"),
          })),
        ),
      )
      .willRespondWith(...connectResponse({}))
      .executeTest((mock) =>
        withBff({ deadLetters: { mailer: { [method]: mailerOverWire(mock.url).mailer[method] } } }, async (bff) =>
          (await bff.signedInOperator(OPERATOR.customerId)).call(bffMethod, { process: "mailer", group: "mailer", messageId: "42" }),
        ),
      );
    assert.is(answer?.status, 200, JSON.stringify(answer?.body));
  });
}

test("ReplayOperatorDeadLetter of a letter that is gone: NOT_FOUND, which the page shows", async () => {
  const answer = await pact
    .interaction()
    .given("the mailer's group has no dead letters", OPERATOR)
    .uponReceiving("an operator's replay of a dead letter already replayed, from the web")
    .withRequest(...withCustomerBearer(connectRequest(DeadLetterService.method.replayDeadLetter, { group: "mailer", messageId: 42n })))
    .willRespondWith(...connectError(Code.NotFound))
    .executeTest((mock) =>
      withBff({ deadLetters: { mailer: { replayDeadLetter: mailerOverWire(mock.url).mailer.replayDeadLetter } } }, async (bff) =>
        (await bff.signedInOperator(OPERATOR.customerId)).call("ReplayOperatorDeadLetter", { process: "mailer", group: "mailer", messageId: "42" }),
      ),
    );
  assert.equal([answer?.status, answer?.body.code], [404, "not_found"]);
});

test("the pact is the committed contracts/pacts/web-bus.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
