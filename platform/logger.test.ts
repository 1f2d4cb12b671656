import { test } from "uvu";
import * as assert from "uvu/assert";
import { createLogger, REDACTED } from "./logger.js";
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
  assert.is(at("payment.card.cardNumber"), REDACTED);
  assert.is(at("travellers.0.firstName"), REDACTED);
  assert.is(at("req.headers.authorization"), REDACTED);
  assert.is(at("req.headers.x-request-id"), "r-1");
  assert.is(at("amount_minor"), 1250);
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

test.run();
