// pricing → identity: pricing's identity access (services/identity/access.ts, wired in
// services/pricing/main.ts): its token verifier fetching identity's JWK set, and
// its own service token (IssueServiceToken) for its calls as itself; both
// described in identity-access.ts.
import { test } from "uvu";
import { consumerPact, type ConsumerPact } from "../pact.js";
import { jwksInteraction, serviceTokenInteraction } from "./identity-access.js";

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("pricing", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("pricing's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "pricing"));
test("pricing's own token: IssueServiceToken with its name and secret", () => serviceTokenInteraction(pact, "pricing"));

test("the pact is the committed contracts/pacts/pricing-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
