import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { screen, waitFor } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BadRequestSchema } from "../../../gen/itinera/type/v1/errors_pb.js";
import { GetWalletResponseSchema, ListTripsResponseSchema, SignInResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { App } from "../app.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";
import { SignInPage } from "./SignInPage.js";

test.after.each(unmount);

async function signIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText("E-mail"), email);
  await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

// The app around the page: signing in leads to another page, which must then be the one shown.
test("signing in sends the trimmed address and the password, then goes back where the visitor was", async () => {
  const api = await renderPage(
    <App />,
    { signIn: async () => create(SignInResponseSchema, { customer: ANA }), listTrips: async () => create(ListTripsResponseSchema, {}) },
    { url: "/signin?next=%2Ftrips" },
  );
  assert.ok(screen.getByText("Sign in to continue."));
  await signIn("  ana@example.com ", "correct horse battery");
  assert.ok(await screen.findByRole("heading", { name: "My trips" }));
  assert.is(window.location.pathname, "/trips");
  assert.is(screen.getByTestId("customer-name").textContent, "Ana");
  assert.equal(api.requests("signIn"), [{ email: "ana@example.com", password: "correct horse battery" }]);
});

test("a next parameter pointing to another site is not followed", async () => {
  await renderPage(<App />, { signIn: async () => create(SignInResponseSchema, { customer: ANA }) }, { url: "/signin?next=%2F%2Fevil.example%2Fx" });
  await signIn("ana@example.com", "correct horse battery");
  await waitFor(() => assert.is(window.location.href, "http://app.test/"));
  assert.is(screen.queryByRole("heading", { name: "Sign in" }), null);
});

test("a wrong password shows the BFF's message, keeps the visitor on the page and the button usable again", async () => {
  await renderPage(<SignInPage />, { signIn: async () => Promise.reject(failure(Code.Unauthenticated, "E-mail or password is wrong.")) }, { url: "/signin" });
  await signIn("ana@example.com", "nope");
  assert.is((await screen.findByRole("alert")).textContent, "E-mail or password is wrong.");
  assert.is(window.location.pathname, "/signin");
  assert.is((screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement).disabled, false);
});

test("field violations from the BFF are shown next to the fields", async () => {
  const invalid = new ConnectError("invalid", Code.InvalidArgument, undefined, [
    { desc: BadRequestSchema, value: { fieldViolations: [{ field: "email", description: "must be an e-mail address", rule: "email" }] } },
  ]);
  await renderPage(<SignInPage />, { signIn: async () => Promise.reject(invalid) }, { url: "/signin" });
  await signIn("ana", "whatever-long");
  assert.ok(await screen.findByText("Must be an e-mail address."));
  assert.is(screen.getByLabelText("E-mail").getAttribute("aria-invalid"), "true");
  assert.ok(screen.getByText("Please correct the highlighted fields."));
});

test("rate limiting says how long to wait", async () => {
  const limited = new ConnectError("slow down", Code.ResourceExhausted, { "retry-after-ms": "4500" });
  await renderPage(<SignInPage />, { signIn: async () => Promise.reject(limited) }, { url: "/signin" });
  await signIn("ana@example.com", "correct horse battery");
  assert.is((await screen.findByRole("alert")).textContent, "Too many requests. Please wait 5 s and try again.");
});

test("a visitor already signed in is sent on without a form to fill", async () => {
  const api = await renderPage(<App />, { getWallet: async () => create(GetWalletResponseSchema, {}) }, { url: "/signin?next=%2Fwallet", customer: ANA });
  assert.ok(await screen.findByRole("heading", { name: "Your wallet" }));
  assert.is(window.location.pathname, "/wallet");
  assert.equal(api.requests("signIn"), []);
});

test.run();
