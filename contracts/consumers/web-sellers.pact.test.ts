// web → sellers: what the BFF's Operator page (services/web/operator.ts
// ListSellerHealth) needs from SellersService.ListSellers, written by running
// the BFF (web-harness.ts) for a browser signed in as a person with the
// operator role, with ListSellers over Connect JSON against Pact's mock server.
//
// The call carries the PERSON's own token, which the BFF forwards (sellers
// admits a person with the operator role, never the BFF by itself): in the
// provider's verification, the token of the state's operator
// (withCustomerBearer). The page reads each seller's id, name and breaker
// state; the rest of a seller (failures, last pull, counts) is passed on as
// sellers answers it and may be absent.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SellersService } from "../../gen/itinera/sellers/v1/sellers_pb.js";
import { connectRequest, connectResponse, consumerPact, Matchers, withCustomerBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { withBff } from "./web-harness.js";

const { eachLike, like, regex } = Matchers;
let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("web", "sellers");
});
test.after(async () => {
  await pact?.close();
});

test("ListSellerHealth: every seller with its breaker state, asked with the operator's own token", async () => {
  const answer = await pact
    .interaction()
    .given("a person with the operator role is signed in", { customerId: "c-301" })
    .uponReceiving("an operator's look at the sellers' health, from the web")
    .withRequest(...withCustomerBearer(connectRequest(SellersService.method.listSellers, {})))
    .willRespondWith(
      ...connectResponse({
        sellers: eachLike({
          sellerId: like("casa"),
          name: like("Casa Hotels"),
          feed: regex(/^FEED_KIND_(PULL|PUSH)$/, "FEED_KIND_PULL"),
          breakerState: regex(/^(closed|open|half-open)$/, "closed"),
        }),
      }),
    )
    .executeTest((mock) =>
      withBff({ sellers: { listSellers: overWire(SellersService, mock.url).listSellers } }, async (bff) =>
        (await bff.signedInOperator("c-301")).call("ListSellerHealth", {}),
      ),
    );
  assert.is(answer?.status, 200, JSON.stringify(answer?.body));
  assert.equal(answer?.body.sellers.map((s: { sellerId: string; breakerState: string }) => [s.sellerId, s.breakerState]), [["casa", "closed"]]);
});

test("the pact is the committed contracts/pacts/web-sellers.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
