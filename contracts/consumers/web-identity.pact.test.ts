// web → identity: what the BFF's sessions (services/web/account.ts and the
// cookie session of session-transport.ts, refreshing as main.ts wires it)
// need from IdentityService, written by running the BFF (web-harness.ts) for
// a browser with the identity method under test over Connect JSON against
// Pact's mock server.
//
// SignUp: the form's fields as typed; the answer is empty whatever the
// address (the e-mail says the rest), and no session begins. VerifyEmail:
// the token of the e-mailed link; the customer id and the token pair —
// access token and its life, refresh token and its life — become the
// session cookies. SignIn: asked as the BFF itself (a service token) with
// the browser's address for identity's throttle; the same pair; its
// UNAUTHENTICATED (a wrong password) goes back to the browser as it is, no
// cookie set. SignOut: the browser's refresh token, revoked before the
// cookies are cleared. GetCustomer, asked as the BFF itself, gives the
// display name pages greet the customer by. Refresh: an expired session
// with its refresh cookie gets a new pair on the way; UNAUTHENTICATED (a
// used or unknown token) signs the browser out. Customer ids, link tokens
// and refresh tokens are identity's: the states answer them, the verifier
// sends them. The access tokens identity answers are trusted as they are
// here (the harness's `trusted`); its signing keys are the contract of the
// two calls every service makes through its identity access (main.ts): the
// JWK set its token verifiers fetch, and its own service token
// (identity-access.ts).
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Code } from "../../endpoints/errors.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { Browser, cookieAttributes, type Answer } from "../../transport/browser.fixture.js";
import { connectError, connectRequest, connectResponse, consumerPact, Matchers, withBearer, type ConsumerPact } from "../pact.js";
import { overWire } from "./calls.js";
import { jwksInteraction, serviceTokenInteraction } from "./identity-access.js";
import { withBff, type Bff } from "./web-harness.js";

const { fromProviderState, integer, like, regex } = Matchers;
const LINK = "dGhlLWxpbmstdGhlLXNpZ24tdXAtZS1tYWlsLWNhcnJpZXM";
let pact: ConsumerPact;

const CUSTOMER_ID = "3f6d2c8e-5b1a-4e7f-9c0d-8a2b4e6f1c3d";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ACCESS = "eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiIzZjZkMmM4ZSJ9.aWRlbnRpdHk";
const REFRESH = "Zm9yLXRoZS1uZXh0LXRoaXJ0eS1kYXlzLW9mLXRoaXMtYnJvd3Nlcg";
const OLD_REFRESH = "dGhlLXJlZnJlc2gtdG9rZW4taWRlbnRpdHktZ2F2ZS1iZWZvcmU";
const ANA = { email: "ana.sousa@example.com", password: "correct horse battery", displayName: "Ana Sousa" };

/** VerifyEmail, SignIn and Refresh answer who and the new pair, which the session cookies carry. */
const signedIn = {
  customerId: regex(UUID, CUSTOMER_ID),
  tokens: {
    accessToken: like(ACCESS),
    accessExpiresInSeconds: integer(900),
    refreshToken: like(REFRESH),
    refreshExpiresInSeconds: integer(2_592_000),
  },
};

/** The BFF with `wired` identity methods over the wire; identity knows the customer's name in memory; `use` gets a browser. */
function withIdentity<T>(wired: Parameters<typeof withBff>[0]["identity"], use: (bff: Bff) => Promise<T>) {
  const customer = { kind: "customer" as const, id: CUSTOMER_ID, roles: [], token: ACCESS };
  return withBff({ identity: wired ?? {} }, async (bff) => {
    bff.world.accounts.set(ANA.email, { password: ANA.password, customerId: CUSTOMER_ID, name: ANA.displayName });
    return use(bff);
  }, { trusted: { [ACCESS]: customer } });
}

const cookie = (answer: Answer, name: string) => cookieAttributes(answer.setCookies, name);

/** The browser's address as the BFF saw it (the harness's browser is local: IPv4 or IPv6 loopback). */
const BROWSER_ADDRESS = "127.0.0.1";
const addressed = (json: Record<string, unknown>) => ({ ...json, clientAddress: regex(/^(::ffff:)?127\.0\.0\.1$|^::1$/, BROWSER_ADDRESS) });

test.before(async () => {
  pact = await consumerPact("web", "identity");
});
test.after(async () => {
  await pact?.close();
});

test("sign-up: identity answers nothing to act on, and no session begins", async () => {
  const form = { email: "nia.okafor@example.com", password: "a long enough password", displayName: "Nia Okafor" };
  const answer = await pact
    .interaction()
    .given("no customer has the e-mail", { email: form.email })
    .uponReceiving("a sign-up from the web")
    .withRequest(...connectRequest(IdentityService.method.signUp, form))
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) => withIdentity({ signUp: overWire(IdentityService, mock.url).signUp }, async (bff) => (await bff.visitor()).call("SignUp", form)));
  assert.equal([answer?.status, answer?.body.customer], [200, undefined]);
  assert.is(cookie(answer!, "itinera_session"), undefined);
});

test("the e-mail's link: identity's customer and token pair become the browser's session", async () => {
  const answer = await pact
    .interaction()
    .given("a sign-up link was e-mailed", { email: "rosa.parks@example.com", displayName: "Rosa Parks" })
    .uponReceiving("the sign-up link followed on the web")
    .withRequest(...connectRequest(IdentityService.method.verifyEmail, { token: LINK }, () => ({ token: fromProviderState("${token}", LINK) })))
    .willRespondWith(...connectResponse(signedIn))
    .executeTest((mock) =>
      withIdentity({ verifyEmail: overWire(IdentityService, mock.url).verifyEmail }, async (bff) => (await bff.visitor()).call("VerifyEmail", { token: LINK })),
    );
  assert.equal(answer?.body.customer, { customerId: CUSTOMER_ID, displayName: ANA.displayName });
  assert.equal([cookie(answer!, "itinera_session")?.get("value"), cookie(answer!, "itinera_session")?.get("max-age")], [ACCESS, "900"]);
  assert.equal([cookie(answer!, "itinera_refresh")?.get("value"), cookie(answer!, "itinera_refresh")?.get("max-age")], [REFRESH, "2592000"]);
});

test("sign-out: the browser's refresh token is revoked at identity, then the cookies go", async () => {
  const answer = await pact
    .interaction()
    .given("a customer has a refresh token", { email: "rui.costa@example.com", displayName: "Rui Costa" })
    .uponReceiving("a sign-out from the web")
    .withRequest(
      ...connectRequest(IdentityService.method.signOut, { refreshToken: OLD_REFRESH }, () => ({ refreshToken: fromProviderState("${refreshToken}", OLD_REFRESH) })),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) =>
      withIdentity({ signOut: overWire(IdentityService, mock.url).signOut }, async (bff) => {
        const browser = await bff.signedIn(CUSTOMER_ID);
        browser.cookies.set("itinera_refresh", OLD_REFRESH);
        return browser.call("SignOut");
      }),
    );
  assert.is(answer?.status, 200);
  assert.is(cookie(answer!, "itinera_refresh")?.get("max-age"), "0");
});

test("sign-in: the session begins, and the page greets the customer by name", async () => {
  const answer = await pact
    .interaction()
    .given("a customer has signed up with a password", ANA)
    .uponReceiving("a sign-in from the web")
    .withRequest(...withBearer(connectRequest(IdentityService.method.signIn, { email: ANA.email, password: ANA.password, clientAddress: BROWSER_ADDRESS }, addressed)))
    .willRespondWith(...connectResponse(signedIn))
    .executeTest((mock) =>
      withIdentity({ signIn: overWire(IdentityService, mock.url).signIn }, async (bff) => (await bff.visitor()).call("SignIn", { email: ANA.email, password: ANA.password })),
    );
  assert.equal(answer?.body.customer, { customerId: CUSTOMER_ID, displayName: ANA.displayName });
  assert.is(cookie(answer!, "itinera_session")?.get("value"), ACCESS);
});

test("sign-in with a wrong password: UNAUTHENTICATED for the browser, no session", async () => {
  const answer = await pact
    .interaction()
    .given("a customer has signed up with a password", ANA)
    .uponReceiving("a sign-in from the web with a wrong password")
    .withRequest(
      ...withBearer(connectRequest(IdentityService.method.signIn, { email: ANA.email, password: "not the password", clientAddress: BROWSER_ADDRESS }, addressed)),
    )
    .willRespondWith(...connectError(Code.Unauthenticated))
    .executeTest((mock) =>
      withIdentity({ signIn: overWire(IdentityService, mock.url).signIn }, async (bff) => (await bff.visitor()).call("SignIn", { email: ANA.email, password: "not the password" })),
    );
  assert.equal([answer?.status, answer?.body.code], [401, "unauthenticated"]);
  assert.is(cookie(answer!, "itinera_session"), undefined);
});

test("a signed-in customer's page: the display name, asked as the BFF itself", async () => {
  const answer = await pact
    .interaction()
    .given("a customer has signed up", { email: "ana.lima@example.com", displayName: "Ana Lima" })
    .uponReceiving("a request from the web for a customer's display name")
    .withRequest(
      ...withBearer(
        connectRequest(IdentityService.method.getCustomer, { customerId: CUSTOMER_ID }, () => ({ customerId: fromProviderState("${customerId}", CUSTOMER_ID) })),
      ),
    )
    .willRespondWith(...connectResponse({ displayName: like("Ana Lima") }))
    .executeTest((mock) =>
      withBff({ identity: { getCustomer: overWire(IdentityService, mock.url).getCustomer } }, async (bff) => (await bff.signedIn(CUSTOMER_ID)).call("GetSession")),
    );
  assert.equal(answer?.body.customer, { customerId: CUSTOMER_ID, displayName: "Ana Lima" });
});

/** A browser whose session cookie has expired and gone, holding only its refresh cookie. */
const returning = (bff: Bff, refreshToken: string) => {
  const browser = new Browser(bff.url);
  browser.cookies.set("itinera_refresh", refreshToken);
  return browser.call("GetSession");
};

test("an expired session: refreshed on the way, new cookies, still signed in", async () => {
  const answer = await pact
    .interaction()
    .given("a customer has a refresh token", { email: "rui.costa@example.com", displayName: "Rui Costa" })
    .uponReceiving("a refresh of a web session")
    .withRequest(
      ...connectRequest(IdentityService.method.refresh, { refreshToken: OLD_REFRESH }, () => ({ refreshToken: fromProviderState("${refreshToken}", OLD_REFRESH) })),
    )
    .willRespondWith(...connectResponse({ tokens: signedIn.tokens }))
    .executeTest((mock) => withIdentity({ refresh: overWire(IdentityService, mock.url).refresh }, (bff) => returning(bff, OLD_REFRESH)));
  assert.equal(answer?.body.customer, { customerId: CUSTOMER_ID, displayName: ANA.displayName });
  assert.equal([cookie(answer!, "itinera_session")?.get("value"), cookie(answer!, "itinera_refresh")?.get("value")], [ACCESS, REFRESH]);
});

test("a refresh identity refuses (UNAUTHENTICATED): the browser is signed out, its cookies cleared", async () => {
  const unknown = "bm90LWEtcmVmcmVzaC10b2tlbi1pZGVudGl0eS1rbm93cw";
  const answer = await pact
    .interaction()
    .given("a refresh token is unknown", { refreshToken: unknown })
    .uponReceiving("a refresh of a web session with an unknown token")
    .withRequest(...connectRequest(IdentityService.method.refresh, { refreshToken: unknown }))
    .willRespondWith(...connectError(Code.Unauthenticated))
    .executeTest((mock) => withIdentity({ refresh: overWire(IdentityService, mock.url).refresh }, (bff) => returning(bff, unknown)));
  assert.equal([answer?.status, answer?.body.customer], [200, undefined]);
  assert.is(cookie(answer!, "itinera_refresh")?.get("max-age"), "0");
});

test("web's token verifier: identity's public keys verify the tokens identity signs", () => jwksInteraction(pact, "web"));
test("web's own token: IssueServiceToken with its name and secret", () => serviceTokenInteraction(pact, "web"));

test("the pact is the committed contracts/pacts/web-identity.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
