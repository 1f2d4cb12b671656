// sellers → identity: sellers's identity access (services/identity/access.ts, wired in
// services/sellers/main.ts): its token verifier fetching identity's JWK set, and
// its own service token (IssueServiceToken) for its calls as itself; both
// described in identity-access.ts.
import { test } from "uvu";
import { consumerPact, type ConsumerPact } from "../pact.js";
import { jwksInteraction, serviceTokenInteraction } from "./identity-access.js";

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("sellers", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("sellers's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "sellers"));
test("sellers's own token: IssueServiceToken with its name and secret", () => serviceTokenInteraction(pact, "sellers"));

test("the pact is the committed contracts/pacts/sellers-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
