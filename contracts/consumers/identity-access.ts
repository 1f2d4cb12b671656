// The two calls every service makes to identity through its identity access
// (services/identity/access.ts, wired in each main.ts), as interactions of
// that service's own pact with identity (<service>-identity.json):
//
// - the JWK set, GET /.well-known/jwks.json, fetched by the token verifier
//   (verifier.ts's tokenVerifier, the service's `authenticate`) to check its
//   callers' tokens: it reads the public Ed25519 keys (kty, crv, x) by kid;
// - IssueServiceToken, asked by the service-token cache (service-tokens.ts)
//   for the service's own calls and consumers: its name and its own secret;
//   it reads the token and how long it lives.
//
// Both run the kit's real code against Pact's mock server. The verifier
// checks a token signed with a fixed test key (deterministic, so the pact is
// the same on every run) against the key set the mock answers: the key in
// the pact's example. The secret is the provider's: the state answers the
// service's secret at the identity under verification, which the verifier
// sends in place of the example.
import { createPrivateKey, createPublicKey } from "node:crypto";
import * as assert from "uvu/assert";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { JWKS_PATH } from "../../services/identity/jwks-route.js";
import { serviceTokens } from "../../services/identity/service-tokens.js";
import { ALGORITHM, signerOf } from "../../services/identity/signing-keys.js";
import { tokenVerifier } from "../../services/identity/verifier.js";
import { connectRequest, connectResponse, Matchers, type ConsumerPact } from "../pact.js";
import { ctx, overWire } from "./calls.js";

const { eachLike, fromProviderState, integer, like, regex } = Matchers;

/** A JWT as identity signs it: three base64url parts. */
const JWT = /^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/;
const SERVICE_TOKEN = "eyJhbGciOiJFZERTQSJ9.eyJzdWIiOiJzZXJ2aWNlIn0.c2lnbmVkLWJ5LWlkZW50aXR5";
const SERVICE_TTL_SECONDS = 900;

/** A fixed Ed25519 test key (its 32-byte seed in PKCS#8), made only for this contract. */
async function pactSigner() {
  const pkcs8 = Buffer.concat([Buffer.from("302e020100300506032b657004220420", "hex"), Buffer.alloc(32, 0x42)]);
  const privateKey = createPrivateKey({ key: pkcs8, format: "der", type: "pkcs8" });
  const kid = "5b0c1f2e-pact-0000-0000-000000000001";
  const publicJwk = { ...createPublicKey(privateKey).export({ format: "jwk" }), kid, alg: ALGORITHM, use: "sig" };
  const row = { kid, privatePem: privateKey.export({ format: "pem", type: "pkcs8" }).toString(), publicJwk, createTime: new Date(0) };
  return { signer: await signerOf(row, [row]), publicJwk };
}

/** The service's token verifier fetches identity's keys and accepts a token signed with one of them. */
export async function jwksInteraction(pact: ConsumerPact, service: string): Promise<void> {
  const { signer, publicJwk } = await pactSigner();
  const token = await signer.sign({ sub: "c-1", roles: [], kind: "customer" }, new Date(), 300);
  const principal = await pact
    .interaction()
    .given("identity has a signing key")
    .uponReceiving(`${service}'s token verifier fetching identity's public keys`)
    .withRequest("GET", JWKS_PATH)
    .willRespondWith(200, (b) =>
      b.headers({ "Content-Type": regex(/^application\/(jwk-set\+)?json$/, "application/jwk-set+json") }).jsonBody({
        keys: eachLike({
          kty: regex(/^OKP$/, "OKP"),
          crv: regex(/^Ed25519$/, "Ed25519"),
          x: regex(/^[A-Za-z0-9_-]{43}$/, publicJwk.x!),
          kid: like(publicJwk.kid),
        }),
      }),
    )
    .executeTest((mock) => tokenVerifier({ jwksUrl: new URL(JWKS_PATH, mock.url) })(token));
  assert.equal([principal?.kind, principal?.id], ["customer", "c-1"], "the token signed with the key identity published is accepted");
}

/** The service's token cache asks for its own token with its own secret, and calls as itself with it. */
export async function serviceTokenInteraction(pact: ConsumerPact, service: string): Promise<void> {
  const secret = `${service}-own-secret`;
  const principal = await pact
    .interaction()
    .given("a service has a credential at identity", { serviceName: service })
    .uponReceiving(`${service}'s request for its own service token`)
    .withRequest(
      ...connectRequest(IdentityService.method.issueServiceToken, { serviceName: service, secret }, (json) => ({
        ...json,
        secret: fromProviderState("${secret}", secret),
      })),
    )
    .willRespondWith(...connectResponse({ accessToken: regex(JWT, SERVICE_TOKEN), expiresInSeconds: integer(SERVICE_TTL_SECONDS) }))
    .executeTest((mock) => serviceTokens({ identity: overWire(IdentityService, mock.url), serviceName: service, secret }).principal(ctx));
  assert.equal(principal, { kind: "service", id: service, roles: [], token: SERVICE_TOKEN });
}
