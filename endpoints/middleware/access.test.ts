// The access middleware: every access level against no principal, a
// customer and a service; who is refused with which code and message; the
// refusal comes before anything inside runs; clients are never checked; and
// customerOf, the ownership helper services use.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive, type Principal } from "../context.js";
import type { MethodAccess, MethodInfo, Middleware } from "../endpoint.js";
import { chain } from "../endpoint.js";
import { Code, invalidArgument } from "../errors.js";
import { access, customerOf } from "./access.js";
import { countingEndpoint, echoClient, echoServer, kitRejection, silentContext } from "../testing.js";

const base = silentContext();
const customer: Principal = { kind: "customer", id: "c-1", roles: ["customer"], token: "t-c" };
const service: Principal = { kind: "service", id: "booking", roles: [], token: "t-s" };
const callers: Record<string, Principal | undefined> = { nobody: undefined, customer, service };

/** Echo's server-side info with its access replaced: the middleware reads only `access`, `side` and `name`. */
const withAccess = (info: MethodInfo, level: MethodAccess): MethodInfo => ({ ...info, access: level });

type Outcome = "ok" | Code.Unauthenticated | Code.PermissionDenied;
const U = Code.Unauthenticated;
const D = Code.PermissionDenied;
const EXPECTED: Record<MethodAccess, Record<keyof typeof callers, Outcome>> = {
  public: { nobody: "ok", customer: "ok", service: "ok" },
  customer: { nobody: U, customer: "ok", service: D },
  service: { nobody: U, customer: D, service: "ok" },
  customer_or_service: { nobody: U, customer: "ok", service: "ok" },
};

for (const [level, row] of Object.entries(EXPECTED) as [MethodAccess, Record<string, Outcome>][]) {
  test(`access "${level}": ${Object.entries(row).map(([who, o]) => `${who} → ${o === "ok" ? "through" : Code[o]}`).join(", ")}`, async () => {
    for (const [who, expected] of Object.entries(row)) {
      const { endpoint, state } = countingEndpoint();
      const ep = access()(endpoint, withAccess(echoServer, level));
      const ctx = derive(base, { principal: callers[who] });
      if (expected === "ok") {
        assert.is(await ep(ctx, {}), "ok", `${who} on a ${level} method`);
        assert.is(state.calls, 1);
      } else {
        const e = await kitRejection(ep(ctx, {}));
        assert.is(e.code, expected, `${who} on a ${level} method: ${e.message}`);
        assert.is(state.calls, 0, `${who} on a ${level} method must not reach the handler`);
      }
    }
  });
}

test("the messages name the method, who it needs and, without a principal, how to send a token", async () => {
  const { endpoint } = countingEndpoint();
  const svc = access()(endpoint, withAccess(echoServer, "service"));
  const cust = access()(endpoint, withAccess(echoServer, "customer"));
  const either = access()(endpoint, withAccess(echoServer, "customer_or_service"));

  const none = await kitRejection(svc(base, {}));
  assert.is(none.message, 'Echo needs a service identity: send "authorization: Bearer <access token>"');
  const customerOnServiceMethod = await kitRejection(svc(derive(base, { principal: customer }), {}));
  assert.is(customerOnServiceMethod.message, "Echo needs a service identity");
  const serviceOnCustomerMethod = await kitRejection(cust(derive(base, { principal: service }), {}));
  assert.is(serviceOnCustomerMethod.message, "Echo needs a signed-in customer");
  assert.match((await kitRejection(either(base, {}))).message, /^Echo needs a signed-in customer or a service identity: send "authorization: Bearer/);
  for (const e of [none, customerOnServiceMethod, serviceOnCustomerMethod]) {
    assert.not.ok(e.message.includes("t-c") || e.message.includes("t-s"), "no token in a message");
  }
});

test("access is checked before what it wraps: a bad request without a principal is Unauthenticated, not InvalidArgument", async () => {
  let validated = 0;
  const { endpoint, state } = countingEndpoint();
  const rejectEverything: Middleware = () => async () => {
    validated++;
    throw invalidArgument("message: must not be empty");
  };
  const ep = chain(access(), rejectEverything)(endpoint, withAccess(echoServer, "service"));
  assert.is((await kitRejection(ep(base, {}))).code, Code.Unauthenticated);
  assert.is(validated, 0);
  assert.is(state.calls, 0);
  assert.is((await kitRejection(ep(derive(base, { principal: service }), {}))).code, Code.InvalidArgument, "a service gets through to validation");
});

test("a client-side chain is never checked: the endpoint is returned as it is", async () => {
  const { endpoint, state } = countingEndpoint();
  for (const level of ["public", "customer", "service", "customer_or_service"] as const) {
    const ep = access()(endpoint, withAccess(echoClient, level));
    assert.is(ep, endpoint, `client side, ${level}`);
    assert.is(await ep(base, {}), "ok", "no principal needed to send the call");
  }
  assert.is(state.calls, 4);
});

test("a public server method is not wrapped at all", () => {
  const { endpoint } = countingEndpoint();
  assert.is(access()(endpoint, withAccess(echoServer, "public")), endpoint);
});

test("customerOf: a customer is always themself; a service names the customer; anything else is Unauthenticated", async () => {
  assert.is(customerOf(derive(base, { principal: customer })), "c-1");
  assert.is(customerOf(derive(base, { principal: customer }), "c-2"), "c-1", "a customer cannot act for another customer");
  assert.is(customerOf(derive(base, { principal: service }), "c-2"), "c-2");

  const noCustomer = async (f: () => string) => kitRejection(Promise.resolve().then(f));
  for (const [what, call] of [
    ["a service naming nobody", () => customerOf(derive(base, { principal: service }))],
    ["a service naming an empty id", () => customerOf(derive(base, { principal: service }), "")],
    ["no principal", () => customerOf(base, "c-2")],
  ] as const) {
    const e = await noCustomer(call);
    assert.is(e.code, Code.Unauthenticated, what);
    assert.is(e.message, "this call needs a signed-in customer", what);
  }
});

test.run();
