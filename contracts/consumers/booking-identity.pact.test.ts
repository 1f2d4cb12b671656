// booking → identity: booking's identity access (services/identity/access.ts, wired in
// services/booking/main.ts): its token verifier fetching identity's JWK set, and
// its own service token (IssueServiceToken) for its calls as itself; both
// described in identity-access.ts.
import { test } from "uvu";
import { consumerPact, type ConsumerPact } from "../pact.js";
import { jwksInteraction, serviceTokenInteraction } from "./identity-access.js";

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("booking", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("booking's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "booking"));
test("booking's own token: IssueServiceToken with its name and secret", () => serviceTokenInteraction(pact, "booking"));

test("the pact is the committed contracts/pacts/booking-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
