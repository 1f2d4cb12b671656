// wallet → identity: wallet's identity access (services/identity/access.ts, wired in
// services/wallet/main.ts): its token verifier fetching identity's JWK set
// (identity-access.ts). wallet calls nothing as itself, so it asks for no
// service token.
import { test } from "uvu";
import { consumerPact, type ConsumerPact } from "../pact.js";
import { jwksInteraction } from "./identity-access.js";

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("wallet", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("wallet's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "wallet"));

test("the pact is the committed contracts/pacts/wallet-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
