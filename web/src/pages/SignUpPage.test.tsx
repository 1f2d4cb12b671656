import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen } from "@testing-library/react";
import { userEvent } from "@testing-library/user-event";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { SignUpResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { failure, renderPage, unmount } from "../test/fake-api.js";
import { SignUpPage } from "./SignUpPage.js";

test.after.each(unmount);

async function signUp(name: string, email: string, password: string) {
  const user = userEvent.setup();
  if (name) await user.type(screen.getByLabelText("Your name"), name);
  if (email) await user.type(screen.getByLabelText("E-mail"), email);
  if (password) await user.type(screen.getByLabelText("Password"), password);
  await user.click(screen.getByRole("button", { name: "Create account" }));
}

test("a complete form sends trimmed fields and says to check the e-mail, without the password left in the page", async () => {
  const api = await renderPage(<SignUpPage />, { signUp: async () => create(SignUpResponseSchema, {}) }, { url: "/signup" });
  await signUp(" Ana Lima ", " ana@example.com", "ten chars!!");
  const sent = await screen.findByTestId("check-email");
  assert.match(sent.textContent ?? "", "We sent an e-mail to ana@example.com.");
  assert.equal(api.requests("signUp"), [{ email: "ana@example.com", password: "ten chars!!", displayName: "Ana Lima" }]);
  assert.is(document.querySelector("input[type=password]"), null);
});

test("an empty name, an address without @ and a short password are refused here, each next to its field, and nothing is sent", async () => {
  const api = await renderPage(<SignUpPage />, {}, { url: "/signup" });
  await signUp("", "ana.example.com", "123456789");
  assert.ok(screen.getByText("Tell us how to address you."));
  assert.ok(screen.getByText("Type an e-mail address, like ana@example.com."));
  assert.ok(screen.getByText("The password needs at least 10 characters."));
  for (const label of ["Your name", "E-mail", "Password"]) assert.is(screen.getByLabelText(label).getAttribute("aria-invalid"), "true", label);
  assert.equal(api.requests("signUp"), []);
});

test("the BFF being down is said in words and the form stays", async () => {
  await renderPage(<SignUpPage />, { signUp: async () => Promise.reject(failure(Code.Unavailable, "HTTP 503")) }, { url: "/signup" });
  await signUp("Ana", "ana@example.com", "long enough password");
  assert.is((await screen.findByRole("alert")).textContent, "We could not reach the sign-up service just now. Please try again in a moment.");
  assert.ok(screen.getByRole("button", { name: "Create account" }));
});

test.run();
