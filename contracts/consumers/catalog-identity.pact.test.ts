// catalog → identity: catalog's identity access (services/identity/access.ts, wired in
// services/catalog/main.ts): its token verifier fetching identity's JWK set
// (identity-access.ts). catalog calls nothing as itself, so it asks for no
// service token.
import { test } from "uvu";
import { consumerPact, type ConsumerPact } from "../pact.js";
import { jwksInteraction } from "./identity-access.js";

let pact: ConsumerPact;

test.before(async () => {
  pact = await consumerPact("catalog", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("catalog's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "catalog"));

test("the pact is the committed contracts/pacts/catalog-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
