import "../test/dom.js";
import { create } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { screen } from "@testing-library/react";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { ListAirportsResponseSchema, VerifyEmailResponseSchema } from "../../../gen/itinera/web/v1/web_pb.js";
import { App } from "../app.js";
import { ANA, failure, renderPage, unmount } from "../test/fake-api.js";

test.after.each(unmount);

test("the e-mail's link is followed once, signs in, and leaves for home without the token in the address bar", async () => {
  const api = await renderPage(
    <App />,
    { verifyEmail: async () => create(VerifyEmailResponseSchema, { customer: ANA }), listAirports: async () => create(ListAirportsResponseSchema, {}) },
    { url: "/verify?token=tok_123" },
  );
  assert.is((await screen.findByTestId("customer-name")).textContent, "Ana");
  assert.is(window.location.href, "http://app.test/");
  assert.equal(api.requests("verifyEmail"), [{ token: "tok_123" }]);
});

test("a used or expired link says what to do instead", async () => {
  await renderPage(<App />, { verifyEmail: async () => Promise.reject(failure(Code.Unauthenticated, "token expired")) }, { url: "/verify?token=old" });
  assert.is(
    (await screen.findByRole("alert")).textContent,
    "This link is used up or has expired. If you already confirmed your address, sign in; otherwise sign up again for a new link.",
  );
  assert.ok(screen.getAllByRole("link", { name: "Sign in" }).length >= 1);
  assert.is(window.location.pathname, "/verify");
});

test.run();
