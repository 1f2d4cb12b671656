// The browser session over the real server, as a browser sends it: SignUp
// answers the same for any address and signs nobody in; VerifyEmail (the
// e-mailed link) and SignIn set the three cookies with their attributes,
// SignOut revokes the session at identity and clears them, GetSession reads the session cookie; an expired access token with a
// refresh cookie is refreshed on the way (new cookies, one identity call for
// a page's concurrent calls); a refused refresh signs out; CSRF is refused
// without the header, with a wrong one, and on SignIn without the cookie.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { Browser, cookieAttributes } from "../../transport/browser.fixture.js";
import { signedUpBrowser, startWebHarness, type WebHarness } from "./harness.fixture.js";

let h: WebHarness;
test.before(async () => {
  h = await startWebHarness();
});
test.after(async () => {
  await h?.close();
});

/** A new browser that has loaded the app (GetSession gives it its CSRF cookie). */
async function visitor(): Promise<Browser> {
  const b = new Browser(h.url);
  const res = await b.call("GetSession");
  assert.is(res.status, 200);
  return b;
}

let n = 0;
async function signedUp(name = `Ada${++n}`): Promise<{ browser: Browser; email: string; id: string }> {
  const { browser, email, verified } = await signedUpBrowser(h, name);
  return { browser, email, id: verified.body.customer.customerId };
}

test("GetSession: a visitor gets a CSRF token and its readable, Strict cookie; no customer", async () => {
  const b = new Browser(h.url);
  const res = await b.call("GetSession");
  assert.is(res.status, 200);
  assert.is(res.body.customer, undefined);
  const csrf = cookieAttributes(res.setCookies, "itinera_csrf")!;
  assert.is(csrf.get("value"), res.body.csrfToken);
  assert.ok(res.body.csrfToken.length >= 40);
  assert.is(csrf.has("httponly"), false, "the page must read it");
  assert.is(csrf.get("samesite"), "Strict");
  assert.is(csrf.get("path"), "/");
  // The same token while the cookie lives.
  const again = await b.call("GetSession");
  assert.is(again.body.csrfToken, res.body.csrfToken);
  assert.equal(again.setCookies, []);
});

test("SignUp answers the same for a new and a registered address, sets no session; identity is asked either way", async () => {
  await signedUp("Taken");
  const answers = [];
  for (const email of ["newcomer@example.test", "taken@example.test"]) {
    const b = await visitor();
    const res = await b.call("SignUp", { email, password: "correct horse battery", displayName: "Someone" });
    assert.is(res.status, 200, JSON.stringify(res.body));
    assert.is(res.body.csrfToken, b.cookies.get("itinera_csrf"));
    assert.equal(res.setCookies, [], "no session cookie: the e-mail's link signs in");
    answers.push(Object.keys(res.body).sort());
  }
  assert.equal(answers[0], answers[1]);
  assert.equal(answers[0], ["csrfToken"]);
  const asked = h.world.calls.filter((c) => c.method === "identity.SignUp").map((c) => (c.request as { email: string }).email);
  assert.equal(asked.slice(-2), ["newcomer@example.test", "taken@example.test"]);
});

test("VerifyEmail (the link) sets the session (HttpOnly, Lax, token life), refresh (HttpOnly, Strict, 30 days) and a new CSRF cookie", async () => {
  const b = await visitor();
  await b.call("SignUp", { email: "grace@example.test", password: "correct horse battery", displayName: "Grace" });
  const before = b.cookies.get("itinera_csrf");
  const res = await b.call("VerifyEmail", { token: h.world.links.get("grace@example.test") });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.customer, { customerId: "cus_grace", displayName: "Grace" });
  const session = cookieAttributes(res.setCookies, "itinera_session")!;
  assert.ok(session.get("value")!.split(".").length === 3, "a JWT");
  assert.ok(session.has("httponly"));
  assert.is(session.get("samesite"), "Lax");
  assert.is(session.get("path"), "/");
  assert.is(session.get("max-age"), "900");
  assert.is(session.has("secure"), false, "http public URL: not Secure");
  const refresh = cookieAttributes(res.setCookies, "itinera_refresh")!;
  assert.ok(refresh.has("httponly"));
  assert.is(refresh.get("samesite"), "Strict");
  assert.is(refresh.get("max-age"), String(30 * 24 * 3600));
  const csrf = cookieAttributes(res.setCookies, "itinera_csrf")!;
  assert.is(csrf.get("value"), res.body.csrfToken);
  assert.is.not(res.body.csrfToken, before, "a new CSRF token at sign-in");
  assert.not.match(JSON.stringify(res.body), /rt-|eyJ/, "no token reaches the page");
  // The link works once.
  const again = await (await visitor()).call("VerifyEmail", { token: h.world.links.get("grace@example.test") });
  assert.equal([again.status, again.body.code, again.setCookies], [401, "unauthenticated", []]);
});

test("the session cookie is the session: GetSession names the customer (display name as a service asks identity)", async () => {
  // An account made elsewhere: the BFF has never seen its name.
  const email = "linus@example.test";
  h.world.accounts.set(email, { password: "correct horse battery", customerId: "cus_linus", name: "Linus" });
  const b = await visitor();
  const res = await b.call("SignIn", { email, password: "correct horse battery" });
  assert.is(res.status, 200, JSON.stringify(res.body));
  assert.equal(res.body.customer, { customerId: "cus_linus", displayName: "Linus" });
  const session = await b.call("GetSession");
  assert.equal(session.body.customer, { customerId: "cus_linus", displayName: "Linus" });
  const lookup = h.world.calls.find((c) => c.method === "identity.GetCustomer");
  assert.is(lookup?.principal?.kind, "service", "GetCustomer is called as the BFF itself");
  // A customer-only method works from the cookie alone.
  const wallet = await b.call("GetWallet", {});
  assert.is(wallet.status, 200);
  const balance = h.world.calls.filter((c) => c.method === "wallet.GetBalance").at(-1);
  assert.is((balance?.request as { customerId: string }).customerId, "cus_linus");
});

test("SignIn with a wrong password: UNAUTHENTICATED, no cookies", async () => {
  const { email } = await signedUp();
  const b = await visitor();
  const res = await b.call("SignIn", { email, password: "wrong password!" });
  assert.is(res.status, 401);
  assert.is(res.body.code, "unauthenticated");
  assert.equal(res.setCookies, []);
});

test("SignOut revokes the session at identity, clears the three cookies; the browser is a visitor again", async () => {
  const { browser } = await signedUp();
  const refreshToken = browser.cookies.get("itinera_refresh");
  const res = await browser.call("SignOut");
  const revoke = h.world.calls.filter((c) => c.method === "identity.SignOut").at(-1);
  assert.is((revoke?.request as { refreshToken: string }).refreshToken, refreshToken);
  assert.is(res.status, 200);
  for (const name of ["itinera_session", "itinera_refresh", "itinera_csrf"]) {
    const c = cookieAttributes(res.setCookies, name);
    assert.ok(c, `${name} cleared`);
    assert.is(c.get("value"), "");
    assert.is(c.get("max-age"), "0");
  }
  assert.is(browser.cookies.size, 0);
  const session = await browser.call("GetSession");
  assert.is(session.body.customer, undefined);
  assert.is((await browser.call("GetWallet", {})).status, 401);
});

test("SignOut while identity cannot revoke: UNAVAILABLE, the cookies stay, and a second try signs out", async () => {
  const { browser } = await signedUp();
  h.world.identityDown = true;
  try {
    const res = await browser.call("SignOut");
    assert.is(res.status, 503);
    assert.is(res.body.message, "Signing out did not finish: please try again in a moment.");
    assert.equal(res.setCookies, []);
  } finally {
    h.world.identityDown = false;
  }
  assert.ok(browser.cookies.get("itinera_refresh"));
  assert.is((await browser.call("SignOut")).status, 200);
  assert.is(browser.cookies.size, 0);
});

test("SignIn asks identity as the BFF itself, forwarding the browser's address for identity's throttle", async () => {
  const { email } = await signedUp();
  const b = await visitor();
  assert.is((await b.call("SignIn", { email, password: "correct horse battery" })).status, 200);
  const call = h.world.calls.filter((c) => c.method === "identity.SignIn").at(-1);
  assert.equal([call?.principal?.kind, call?.principal?.id], ["service", "web"]);
  assert.match((call?.request as { clientAddress: string }).clientAddress, /127\.0\.0\.1/);
});

test("an expired access token with a refresh cookie: refreshed on the way, new cookies, signed in", async () => {
  h.world.accessTtlSeconds = -60; // identity now issues tokens that are already expired
  const { browser, id } = await signedUp("Barbara");
  h.world.accessTtlSeconds = 900;
  const oldRefresh = browser.cookies.get("itinera_refresh");
  const refreshesBefore = h.world.refreshes;
  const res = await browser.call("GetSession");
  assert.equal(res.body.customer?.customerId, id);
  assert.is(h.world.refreshes, refreshesBefore + 1);
  const session = cookieAttributes(res.setCookies, "itinera_session")!;
  assert.is(session.get("max-age"), "900");
  assert.ok(session.has("httponly"));
  assert.is.not(browser.cookies.get("itinera_refresh"), oldRefresh, "the refresh token was rotated");
  // The new access token is used from now on: no further refresh.
  await browser.call("GetSession");
  assert.is(h.world.refreshes, refreshesBefore + 1);
});

test("a page's concurrent calls with one expired token refresh once and all stay signed in", async () => {
  h.world.accessTtlSeconds = -60;
  const { browser, id } = await signedUp("Edsger");
  h.world.accessTtlSeconds = 900;
  const before = h.world.refreshes;
  const answers = await Promise.all(Array.from({ length: 4 }, () => browser.call("GetSession")));
  for (const a of answers) assert.is(a.body.customer?.customerId, id);
  assert.is(h.world.refreshes, before + 1, "single-use refresh tokens: one refresh shared");
});

test("a used refresh cookie replayed from another address is not shared the new pair", async () => {
  h.world.accessTtlSeconds = -60;
  const { browser } = await signedUp("Mallory");
  h.world.accessTtlSeconds = 900;
  const stolen = browser.cookies.get("itinera_refresh")!;
  assert.ok((await browser.call("GetSession")).body.customer, "the owner is refreshed");
  const thief = new Browser(h.url, { localAddress: "127.0.0.9" });
  thief.cookies.set("itinera_refresh", stolen);
  const res = await thief.call("GetSession");
  assert.is(res.body.customer, undefined);
  assert.is(thief.cookies.has("itinera_refresh"), false);
});

test("only a refresh cookie that identity refuses: cookies cleared, a visitor", async () => {
  const b = await visitor();
  b.cookies.set("itinera_refresh", "rt-forged");
  const res = await b.call("GetSession");
  assert.is(res.status, 200);
  assert.is(res.body.customer, undefined);
  assert.is(cookieAttributes(res.setCookies, "itinera_refresh")?.get("max-age"), "0");
  assert.is(b.cookies.has("itinera_refresh"), false);
});

test("a session cookie signed by a stranger counts as none (a visitor), and is cleared", async () => {
  const b = await visitor();
  b.cookies.set("itinera_session", await h.tokens.foreignToken("someone"));
  const res = await b.call("GetSession");
  assert.is(res.body.customer, undefined);
  assert.is(cookieAttributes(res.setCookies, "itinera_session")?.get("max-age"), "0");
  assert.is((await b.call("GetWallet", {})).status, 401);
});

test("CSRF: a call that changes something without the header, or with a wrong one, is refused; with it, accepted", async () => {
  const { browser } = await signedUp();
  for (const csrf of [false, "not-the-token"] as const) {
    const res = await browser.call("CancelTrip", { reservationId: "res_x" }, { csrf });
    assert.is(res.status, 403, String(csrf));
    assert.is(res.body.code, "permission_denied");
    assert.match(res.body.message, /reload the page/);
  }
  const ok = await browser.call("CancelTrip", { reservationId: "res_x" });
  assert.is(ok.body.code, "not_found", "past the CSRF check, booking answers");
  // Reads need no header.
  assert.is((await browser.call("ListTrips", {}, { csrf: false })).status, 200);
});

test("CSRF on SignIn and SignUp: the header must equal the cookie, and a browser without the cookie is refused", async () => {
  const { email } = await signedUp();
  const fresh = new Browser(h.url);
  const noCookie = await fresh.call("SignIn", { email, password: "correct horse battery" }, { csrf: "anything" });
  assert.is(noCookie.status, 403);
  assert.equal(noCookie.setCookies, []);
  const b = await visitor();
  const wrong = await b.call("SignIn", { email, password: "correct horse battery" }, { csrf: "forged" });
  assert.is(wrong.status, 403);
  const signUp = await b.call("SignUp", { email: "x@example.test", password: "correct horse battery", displayName: "X" }, { csrf: false });
  assert.is(signUp.status, 403);
  assert.is((await b.call("SignIn", { email, password: "correct horse battery" })).status, 200);
});

test("a bearer token instead of cookies (curl, services): no CSRF token needed", async () => {
  const b = new Browser(h.url);
  const principal = await h.customer("cus_bearer");
  const res = await b.call("GetWallet", {}, { headers: { authorization: `Bearer ${principal.token}` } });
  assert.is(res.status, 200);
  const cancel = await b.call("CancelTrip", { reservationId: "res_x" }, { headers: { authorization: `Bearer ${principal.token}` } });
  assert.is(cancel.body.code, "not_found");
  const bad = await b.call("GetSession", {}, { headers: { authorization: "Bearer nonsense" } });
  assert.is(bad.status, 401);
});

test.run();
