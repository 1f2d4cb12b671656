import { test } from "uvu";
import * as assert from "uvu/assert";
import pino from "pino";
import { createLogger, REDACTED, successSamplerOf, TOO_DEEP } from "./logger.js";
import { KitError, Code } from "../endpoints/errors.js";
import { capture } from "../endpoints/testing.js";

test("lines are JSON with the service, an ISO time and the level's name", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "wallet", destination: stream });
  log.info({ procedure: "/x/Y" }, "hello");
  assert.is(lines.length, 1);
  const line = lines[0]!;
  assert.is(line.service, "wallet");
  assert.is(line.level, "info");
  assert.is(line.msg, "hello");
  assert.is(line.procedure, "/x/Y");
  assert.is(new Date(String(line.time)).toISOString(), line.time);
});

test("the level option filters lines", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "s", level: "warn", destination: stream });
  log.info("dropped");
  log.warn("kept");
  assert.equal(
    lines.map((l) => l.msg),
    ["kept"],
  );
});

test("e-mails, names, card numbers, passwords and authorization are censored at any usual depth", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "s", destination: stream });
  log.info(
    {
      email: "ann@example.com",
      customer: { name: "Ann Smith", email: "ann@example.com", id: "c-1" },
      payment: { card: { cardNumber: "4111111111111111", card_number: "4111111111111111" } },
      travellers: [{ firstName: "Ann", lastName: "Smith" }],
      password: "hunter2",
      req: { headers: { authorization: "Bearer abc", "x-request-id": "r-1" } },
      amount_minor: 1250,
    },
    "booked",
  );
  const text = JSON.stringify(lines);
  for (const secret of ["ann@example.com", "Ann", "Smith", "4111111111111111", "hunter2", "Bearer abc"]) {
    assert.not.ok(text.includes(secret), `${secret} leaked: ${text}`);
  }
  const at = (path: string) =>
    path.split(".").reduce<unknown>((v, k) => (v as Record<string, unknown> | undefined)?.[k], lines[0]);
  assert.is(at("email"), REDACTED);
  assert.is(at("customer.email"), REDACTED);
  assert.is(at("customer.id"), "c-1", "fields that are not personal stay");
  assert.is(at("payment.card"), REDACTED, "anything named card, whole");
  assert.is(at("travellers.0.firstName"), REDACTED);
  assert.is(at("req.headers.authorization"), REDACTED);
  assert.is(at("req.headers.x-request-id"), "r-1");
  assert.is(at("amount_minor"), 1250);
});

test("tokens, secrets, passwords, cookies and authorization are censored by key pattern, at any depth, whatever the spelling", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "s", destination: stream });
  const values = {
    accessToken: "v-access-token",
    refreshToken: "v-refresh-token",
    secret: "v-secret",
    serviceSecret: "v-service-secret",
    Authorization: "Bearer v-authorization",
    "set-cookie": "itinera_session=v-set-cookie",
    Cookie: "itinera_refresh=v-cookie",
    access_token: "v-access-token-snake",
    id_token: "v-id-token",
    client_secret: "v-client-secret",
    newPassword: "v-new-password",
    passwd: "v-passwd",
    apiKey: "v-api-key",
    "x-api-key": "v-x-api-key",
    webhookSignature: "v-signature",
    privateKey: "v-private-key",
    credentials: { user: "v-credentials" },
    cardNumber: "v-card-number",
    GATEWAY_SECRET: "v-gateway-secret",
  };
  const deep = { a: { b: { c: { d: { e: values } } } } };
  log.info({ ...values, nested: { headers: values }, list: [values, [values]], deep, deeper: { x: deep } }, "everything at once");
  log.warn({ err: Object.assign(new Error("upstream refused"), { config: { headers: { authorization: "Bearer v-in-an-error" } }, refreshToken: "v-error-token" }) }, "failed");
  log.child({ serviceSecret: "v-child-binding" }).child({ request_id: "r-1", authorization: "v-grandchild-binding" }).info("bound");
  const text = JSON.stringify(lines);
  for (const leaked of [...Object.values(values).flatMap((v) => (typeof v === "string" ? [v] : Object.values(v))), "v-in-an-error", "v-error-token", "v-child-binding", "v-grandchild-binding"]) {
    assert.not.ok(text.includes(leaked), `${leaked} leaked: ${text}`);
  }
  const first = lines[0]!;
  assert.is(first.accessToken, REDACTED);
  assert.is((first.nested as { headers: Record<string, unknown> }).headers.Authorization, REDACTED);
  assert.ok(text.includes(TOO_DEEP), "what is too deep to check is dropped, not written");
  assert.is(first.msg, "everything at once");
  assert.is((lines[1]!.err as Record<string, unknown>).message, "upstream refused", "the error itself stays readable");
  assert.equal([lines[2]!.request_id, lines[2]!.serviceSecret], ["r-1", REDACTED], "children's bindings, at every generation");
});

test("keys that only look alike are kept: ids, amounts, kinds and counts", () => {
  const { lines, stream } = capture();
  createLogger({ service: "s", destination: stream }).info({ customer_id: "c-1", amount_minor: 1250, kid: "k-1", push_id: "p-1", session_id: "s-1" }, "x");
  assert.equal([lines[0]!.customer_id, lines[0]!.amount_minor, lines[0]!.kid, lines[0]!.push_id, lines[0]!.session_id], ["c-1", 1250, "k-1", "p-1", "s-1"]);
});

test("errors keep their type, message, stack and code", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "s", destination: stream });
  log.error({ err: new KitError(Code.NotFound, "no such wallet") }, "failed");
  const err = lines[0]!.err as Record<string, unknown>;
  assert.is(err.type, "KitError");
  assert.is(err.message, "no such wallet");
  assert.is(err.code, Code.NotFound);
  assert.ok(String(err.stack).includes("logger.test.ts"));
});

test("child loggers keep the censoring", () => {
  const { lines, stream } = capture();
  const log = createLogger({ service: "s", destination: stream }).child({ request_id: "r-9" });
  log.warn({ user: { email: "bob@example.com" } }, "x");
  assert.is(lines[0]!.request_id, "r-9");
  assert.is((lines[0]!.user as Record<string, unknown>).email, REDACTED);
});

test("every logger of a process, children included, shares the process's success sampler", () => {
  const { stream } = capture();
  const log = createLogger({ service: "s", destination: stream, successes: { successOneIn: 1, slowMs: 40 } });
  const sampler = successSamplerOf(log);
  assert.ok(sampler);
  assert.is(sampler!.slowMs, 40, "the options given");
  assert.is(successSamplerOf(log.child({ request_id: "r-1" }).child({ trace_id: "t" })), sampler);
  assert.is.not(successSamplerOf(createLogger({ service: "other", destination: stream })), sampler, "another process, another budget");
  assert.is(successSamplerOf(pino({ level: "silent" })), undefined, "none on a logger made elsewhere");
});

test.run();
