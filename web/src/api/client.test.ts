// The client as the browser uses it, over a fake fetch: what it sends (cookie
// credentials, the CSRF header) and how the BFF's Connect errors read.
import { create, toBinary } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { BadRequestSchema } from "../../../gen/itinera/type/v1/errors_pb.js";
import { createWebClient } from "./client.js";
import { csrfStore, readCookie } from "./csrf.js";
import { describeError, isAbort, isUnauthenticated } from "./errors.js";

interface Sent {
  url: string;
  credentials: RequestCredentials | undefined;
  headers: Headers;
  body: unknown;
}

/** A fetch that records requests and answers each from the list given. */
function fakeFetch(answers: (() => Response)[]) {
  const sent: Sent[] = [];
  const fetchImpl = (async (input: RequestInfo | URL, init?: RequestInit) => {
    sent.push({
      url: String(input),
      credentials: init?.credentials,
      headers: new Headers(init?.headers),
      body: init?.body ? JSON.parse(new TextDecoder().decode(init.body as Uint8Array)) : undefined,
    });
    const answer = answers.shift();
    if (!answer) throw new Error("no answer left");
    return answer();
  }) as typeof fetch;
  return { sent, fetchImpl };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) => () =>
  new Response(JSON.stringify(body), { status, headers: { "content-type": "application/json", ...headers } });

test("calls go to the same origin with credentials and the CSRF token the session answered", async () => {
  const { sent, fetchImpl } = fakeFetch([
    json(200, { customer: { customerId: "c1", displayName: "Ana" }, csrfToken: "tok-1" }),
    json(200, {}),
  ]);
  let cookies = "";
  const api = createWebClient(csrfStore(() => cookies), "http://127.0.0.1:8080", fetchImpl);
  const session = await api.getSession({});
  assert.is(session.customer?.displayName, "Ana");
  await api.signOut({});
  assert.is(sent[0]?.url, "http://127.0.0.1:8080/itinera.web.v1.WebService/GetSession");
  assert.is(sent[0]?.credentials, "include");
  assert.is(sent[0]?.headers.get("x-csrf-token"), null, "nothing to send before the first answer");
  assert.is(sent[1]?.url, "http://127.0.0.1:8080/itinera.web.v1.WebService/SignOut");
  assert.is(sent[1]?.credentials, "include");
  assert.is(sent[1]?.headers.get("x-csrf-token"), "tok-1");
  cookies = "";
});

test("the readable CSRF cookie wins over an older answered token", async () => {
  const { sent, fetchImpl } = fakeFetch([json(200, { csrfToken: "old" }), json(200, { trips: [] })]);
  let cookies = "";
  const api = createWebClient(csrfStore(() => cookies), "http://localhost", fetchImpl);
  await api.getSession({});
  cookies = "theme=dark; itinera_csrf=new%2Btoken; other=1";
  await api.listTrips({ pageSize: 5 });
  assert.is(sent[1]?.headers.get("x-csrf-token"), "new+token");
  assert.equal(sent[1]?.body, { pageSize: 5 });
});

test("cookies are read by exact name", () => {
  assert.is(readCookie("a=1; itinera_csrf=x; b=2", "itinera_csrf"), "x");
  assert.is(readCookie("my_itinera_csrf=y", "itinera_csrf"), undefined);
  assert.is(readCookie("itinera_csrf=", "itinera_csrf"), undefined);
  assert.is(readCookie("", "itinera_csrf"), undefined);
  assert.is(readCookie("itinera_csrf=%E0%A4%A", "itinera_csrf"), "%E0%A4%A", "a broken escape is kept as sent");
});

test("rate limiting says how long to wait, from the kit's retry-after-ms", async () => {
  const { fetchImpl } = fakeFetch([json(429, { code: "resource_exhausted", message: "slow down" }, { "retry-after-ms": "1500" })]);
  const api = createWebClient(csrfStore(() => ""), "http://localhost", fetchImpl);
  const err = await api.suggestDestinations({ text: "Lis" }).then(
    () => undefined,
    (e: unknown) => e,
  );
  const p = describeError(err, "the search");
  assert.is(p.code, Code.ResourceExhausted);
  assert.is(p.retryAfterSeconds, 2);
  assert.is(p.message, "Too many requests. Please wait 2 s and try again.");
});

test("field violations come back per field, by full path and by name", async () => {
  const detail = create(BadRequestSchema, {
    fieldViolations: [
      { field: "email", description: "email must be an e-mail address", rule: "email" },
      { field: "password", description: "password must be at least 10 characters", rule: "min_len" },
      { field: "password", description: "a second rule", rule: "other" },
      { field: "query.check_in", description: "check_in must be today or later", rule: "future" },
    ],
  });
  const value = btoa(String.fromCharCode(...toBinary(BadRequestSchema, detail))).replace(/=+$/, "");
  const { fetchImpl } = fakeFetch([
    json(400, { code: "invalid_argument", message: "bad request", details: [{ type: "itinera.type.v1.BadRequest", value }] }),
  ]);
  const api = createWebClient(csrfStore(() => ""), "http://localhost", fetchImpl);
  const err = await api.signUp({ email: "x", password: "short", displayName: "A" }).catch((e: unknown) => e);
  const p = describeError(err);
  assert.is(p.message, "Please correct the highlighted fields.");
  assert.is(p.fields.email, "Email must be an e-mail address.");
  assert.is(p.fields.password, "Password must be at least 10 characters.", "the first rule of a field is shown");
  assert.is(p.fields["query.check_in"], "Check_in must be today or later.");
  assert.is(p.fields.check_in, "Check_in must be today or later.");
});

test("an unreachable BFF reads as such, whatever the transport made of it", async () => {
  const { fetchImpl } = fakeFetch([
    () => {
      throw new TypeError("Failed to fetch");
    },
    json(503, { code: "unavailable", message: "upstream down" }),
  ]);
  const api = createWebClient(csrfStore(() => ""), "http://localhost", fetchImpl);
  const offline = describeError(await api.listAirports({}).catch((e: unknown) => e), "the airport list");
  assert.is(offline.message, "We could not reach the airport list. Check your connection and try again.");
  const down = describeError(await api.listAirports({}).catch((e: unknown) => e), "the airport list");
  assert.is(down.code, Code.Unavailable);
  assert.is(down.message, "We could not reach the airport list just now. Please try again in a moment.");
});

test("the BFF's own sentences are shown for refusals; internal ones are not", () => {
  assert.is(
    describeError(new ConnectError("Your wallet cannot be checked right now, so the price cannot be confirmed: please try again in a moment.", Code.Unavailable)).message,
    "Your wallet cannot be checked right now, so the price cannot be confirmed: please try again in a moment.",
  );
  assert.is(describeError(new ConnectError("HTTP 503", Code.Unavailable), "the search").message, "We could not reach the search just now. Please try again in a moment.");
  assert.is(describeError(new ConnectError("connect ECONNREFUSED 127.0.0.1:7005", Code.Unavailable), "the search").message, "We could not reach the search just now. Please try again in a moment.");
  assert.is(describeError(new ConnectError("the price has changed", Code.FailedPrecondition)).message, "The price has changed.");
  assert.is(describeError(new ConnectError("e-mail or password is wrong", Code.Unauthenticated)).message, "E-mail or password is wrong.");
  assert.is(describeError(new ConnectError("internal error", Code.Internal)).message, "Something went wrong on our side. Please try again.");
  assert.is(describeError(new ConnectError("internal error", Code.Unknown)).message, "Something went wrong on our side. Please try again.");
  assert.ok(isUnauthenticated(new ConnectError("x", Code.Unauthenticated)));
  assert.not.ok(isUnauthenticated(new Error("x")));
  assert.ok(isAbort(new ConnectError("x", Code.Canceled)));
  assert.ok(isAbort(Object.assign(new Error("aborted"), { name: "AbortError" })));
});

test.run();
