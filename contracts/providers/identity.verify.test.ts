// Identity against every committed pact that names it (the mailer's
// GetCustomer; the web BFF's SignUp, VerifyEmail, SignIn, SignOut, Refresh
// and GetCustomer; every service's JWK set fetch and IssueServiceToken, made
// by its identity access):
// identity's real server as services/identity/fixture.ts
// serves it (serveIdentity: serverStack, authentication with its own signing
// keys, the JWKS route) on its own PostgreSQL schema.
//
// States go through identity itself: SignUp and the link it published
// (VerifyEmail) make the customer, whose id — identity's, a UUID — the state
// answers for the verifier to send in place of the pact's example; SignIn
// gives the refresh token a state answers; a SignUp alone gives the link
// token a state answers. GetCustomer is for services only: the verifier
// sends a token identity issued itself (IssueServiceToken with the
// deployment's service secret), as the mailer's token cache gets one.
// IssueServiceToken: the state answers the service's secret at this
// identity, which the verifier sends in place of the pact's example. The JWK
// set is identity's own signing key, made at its first start.
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { join } from "node:path";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code, KitError } from "../../endpoints/errors.js";
import { identityFixture, serveIdentity, TEST_SERVICE_CREDENTIALS, testServiceSecret, type IdentityFixture } from "../../services/identity/fixture.js";
import { JWKS_PATH } from "../../services/identity/jwks-route.js";
import type { RunningServer } from "../../transport/server.js";
import { PACTS_DIR, stringParam, verifyProvider, type ProviderStates } from "../pact.js";

let f: IdentityFixture;
let server: RunningServer | undefined;
const PASSWORD = "pact-provider-state";

/** The states identity's consumers name, set up through identity itself. */
const identityStates = (): ProviderStates => ({
  async "a customer has signed up"(params) {
    const [email, displayName] = [stringParam(params, "email"), stringParam(params, "displayName")];
    // The mailer and the web BFF name the same customer: signed up once, then known.
    if (!(await f.store.customerByEmail(email))) await f.signedUp(email, PASSWORD, displayName);
    const { customerId } = await f.client.signIn(f.ctx, { email, password: PASSWORD });
    return { customerId };
  },
  async "a customer has signed up with a password"(params) {
    const [email, password, displayName] = [stringParam(params, "email"), stringParam(params, "password"), stringParam(params, "displayName")];
    // Several interactions name the same customer: signed up once, then known.
    if (!(await f.store.customerByEmail(email))) await f.signedUp(email, password, displayName);
    const { customerId } = await f.client.signIn(f.ctx, { email, password });
    return { customerId };
  },
  async "no customer has the e-mail"(params) {
    const email = stringParam(params, "email");
    if (await f.store.customerByEmail(email)) throw new Error(`identity has a customer with ${email}; the state needs none`);
  },
  async "a customer has a refresh token"(params) {
    const [email, displayName] = [stringParam(params, "email"), stringParam(params, "displayName")];
    if (!(await f.store.customerByEmail(email))) await f.signedUp(email, PASSWORD, displayName);
    const { customerId, tokens } = await f.client.signIn(f.ctx, { email, password: PASSWORD });
    return { customerId, refreshToken: tokens!.refreshToken };
  },
  async "a sign-up link was e-mailed"(params) {
    const [email, displayName] = [stringParam(params, "email"), stringParam(params, "displayName")];
    await f.client.signUp(f.ctx, { email, password: PASSWORD, displayName });
    return { token: await f.linkToken(email) };
  },
  async "a refresh token is unknown"(params) {
    const refreshToken = stringParam(params, "refreshToken");
    // Refresh tokens are random and single use: one identity accepts is not unknown (and is now used up).
    const accepted = await f.client.refresh(f.ctx, { refreshToken }).then(
      () => true,
      (e: unknown) => !(e instanceof KitError && e.code === Code.Unauthenticated),
    );
    if (accepted) throw new Error(`identity accepts the refresh token ${refreshToken}; the state needs one it does not know`);
  },
  async "identity has a signing key"() {
    if (f.signer.jwks.keys.length === 0) throw new Error("identity has no signing key; it makes one at its first start");
  },
  async "a service has a credential at identity"(params) {
    const serviceName = stringParam(params, "serviceName");
    if (!TEST_SERVICE_CREDENTIALS.has(serviceName)) throw new Error(`identity has no credential for the ${serviceName} service; add it to its SERVICE_CREDENTIALS`);
    return { secret: testServiceSecret(serviceName) };
  },
  async "no customer has the id"(params) {
    const customerId = stringParam(params, "customerId");
    const found = await f.client.getCustomer(f.ctx, { customerId }).then(
      () => true,
      (e: unknown) => !(e instanceof KitError && e.code === Code.NotFound),
    );
    if (found) throw new Error(`identity knows customer ${customerId}; the state needs an id it does not know`);
  },
});

test.before(async () => {
  f = await identityFixture();
  server = await serveIdentity(f);
});
test.after(async () => {
  await server?.close(5_000);
  await f?.close();
});

test("the real identity satisfies every pact that names it", async () => {
  const tokenOf = async (serviceName: string) => (await f.client.issueServiceToken(f.ctx, { serviceName, secret: testServiceSecret(serviceName) })).accessToken;
  const bearerTokens = { mailer: await tokenOf("mailer"), web: await tokenOf("web") };
  const result = await verifyProvider("identity", server!.url, identityStates(), { bearerTokens });
  assert.equal(
    result.pacts.map((p) => p.slice(PACTS_DIR.length)),
    ["booking", "catalog", "mailer", "payment", "pricing", "search", "sellers", "wallet", "web"].map((consumer) => `${consumer}-identity.json`),
  );
  assert.ok(result.interactions >= 8 + 9 + 7, `${result.interactions} interactions`);
  // The state went through identity: the customer the mailer asked about signed up.
  const { customerId } = await f.client.signIn(f.ctx, { email: "ana.lima@example.com", password: PASSWORD });
  const customer = await f.client.getCustomer(f.ctx, { customerId });
  assert.is(customer.displayName, "Ana Lima");
  // The web BFF's sign-up made its customer, not confirmed yet; the followed link confirmed another.
  const nia = await f.store.customerByEmail("nia.okafor@example.com");
  assert.equal([nia?.displayName, nia?.verifiedTime], ["Nia Okafor", null]);
  assert.ok((await f.store.customerByEmail("rosa.parks@example.com"))?.verifiedTime);
});

test("an identity whose JWK set leaves out the keys' x fails every service's pact, naming the interaction", async () => {
  const keys = f.signer.jwks.keys.map(({ x: _x, ...rest }) => rest);
  const broken = createServer((req, res) => {
    if (req.url !== JWKS_PATH) return void res.writeHead(404).end();
    res.writeHead(200, { "content-type": "application/jwk-set+json" }).end(JSON.stringify({ keys }));
  });
  await new Promise<void>((resolve) => broken.listen(0, "127.0.0.1", resolve));
  try {
    const url = `http://127.0.0.1:${(broken.address() as AddressInfo).port}`;
    const failure = await verifyProvider("identity", url, identityStates(), { pactFiles: [join(PACTS_DIR, "wallet-identity.json")] }).then(
      () => "verified",
      (e: Error) => e.message,
    );
    assert.match(failure, "does not satisfy wallet's pact");
    assert.match(failure, "wallet's token verifier fetching identity's public keys");
    assert.match(failure, "$.keys[0]");
  } finally {
    await new Promise((resolve) => broken.close(resolve));
  }
});

test.run();
