// The access middleware: declared callers against no principal, a customer,
// a named service and a service the method does not name; a method without
// declared callers refused to everyone; who is refused with which code and a
// message naming who may call; the refusal comes before anything inside runs;
// clients are never checked; and customerOf, the ownership helper services use.
import { test } from "uvu";
import * as assert from "uvu/assert";
import { derive, type Principal } from "../context.js";
import type { MethodCallers, MethodInfo, Middleware } from "../endpoint.js";
import { chain } from "../endpoint.js";
import { Code, invalidArgument } from "../errors.js";
import { access, customerOf } from "./access.js";
import { countingEndpoint, echoClient, echoServer, kitRejection, silentContext } from "../testing.js";

const base = silentContext();
const customer: Principal = { kind: "customer", id: "c-1", roles: ["customer"], token: "t-c" };
const booking: Principal = { kind: "service", id: "booking", roles: [], token: "t-s" };
const mailer: Principal = { kind: "service", id: "mailer", roles: [], token: "t-m" };
/** A person whose account has the operator role: a customer principal with "operator" among its roles. */
const operator: Principal = { kind: "customer", id: "c-9", roles: ["customer", "operator"], token: "t-o" };
/** A service named "operator" is not a person with the role: `operator: true` admits people, services are named. */
const operatorService: Principal = { kind: "service", id: "operator", roles: ["operator"], token: "t-p" };
const principals: Record<string, Principal | undefined> = { nobody: undefined, customer, booking, mailer, operator, operatorService };

const declared = (c: Partial<MethodCallers>): MethodCallers => ({ anyone: false, customer: false, services: [], operator: false, ...c });
/** Echo's server-side info with its callers replaced: the middleware reads only `callers`, `side`, `service` and `name`. */
const withCallers = (info: MethodInfo, callers: MethodCallers | undefined): MethodInfo => ({ ...info, callers });

type Outcome = "ok" | Code.Unauthenticated | Code.PermissionDenied;
const U = Code.Unauthenticated;
const D = Code.PermissionDenied;
const CASES: { name: string; callers: MethodCallers | undefined; expected: Record<keyof typeof principals, Outcome> }[] = [
  { name: "anyone", callers: declared({ anyone: true }), expected: { nobody: "ok", customer: "ok", booking: "ok", mailer: "ok", operator: "ok", operatorService: "ok" } },
  { name: "customer", callers: declared({ customer: true }), expected: { nobody: U, customer: "ok", booking: D, mailer: D, operator: "ok", operatorService: D } },
  { name: "services booking", callers: declared({ services: ["booking"] }), expected: { nobody: U, customer: D, booking: "ok", mailer: D, operator: D, operatorService: D } },
  { name: "customer or booking", callers: declared({ customer: true, services: ["booking"] }), expected: { nobody: U, customer: "ok", booking: "ok", mailer: D, operator: "ok", operatorService: D } },
  { name: "operator", callers: declared({ operator: true }), expected: { nobody: U, customer: D, booking: D, mailer: D, operator: "ok", operatorService: D } },
  { name: "operator or the service operator", callers: declared({ operator: true, services: ["operator"] }), expected: { nobody: U, customer: D, booking: D, mailer: D, operator: "ok", operatorService: "ok" } },
  { name: "declared but empty", callers: declared({}), expected: { nobody: U, customer: D, booking: D, mailer: D, operator: D, operatorService: D } },
  { name: "not declared", callers: undefined, expected: { nobody: D, customer: D, booking: D, mailer: D, operator: D, operatorService: D } },
];

for (const { name, callers, expected } of CASES) {
  test(`callers "${name}": ${Object.entries(expected).map(([who, o]) => `${who} → ${o === "ok" ? "through" : Code[o]}`).join(", ")}`, async () => {
    for (const [who, outcome] of Object.entries(expected)) {
      const { endpoint, state } = countingEndpoint();
      const ep = access()(endpoint, withCallers(echoServer, callers));
      const ctx = derive(base, { principal: principals[who] });
      if (outcome === "ok") {
        assert.is(await ep(ctx, {}), "ok", `${who} on a "${name}" method`);
        assert.is(state.calls, 1);
      } else {
        const e = await kitRejection(ep(ctx, {}));
        assert.is(e.code, outcome, `${who} on a "${name}" method: ${e.message}`);
        assert.is(state.calls, 0, `${who} on a "${name}" method must not reach the handler`);
      }
    }
  });
}

test("the messages name the method, who may call it, who was refused and, without a principal, how to send a token", async () => {
  const { endpoint } = countingEndpoint();
  const services = access()(endpoint, withCallers(echoServer, declared({ services: ["search", "web"] })));
  const either = access()(endpoint, withCallers(echoServer, declared({ customer: true, services: ["booking"] })));
  const undeclared = access()(endpoint, withCallers(echoServer, undefined));

  const none = await kitRejection(services(base, {}));
  assert.is(none.message, 'Echo may be called by the services search, web: send "authorization: Bearer <access token>"');
  const asCustomer = await kitRejection(services(derive(base, { principal: customer }), {}));
  assert.is(asCustomer.message, "Echo may be called by the services search, web, not by a customer");
  const asMailer = await kitRejection(either(derive(base, { principal: mailer }), {}));
  assert.is(asMailer.message, 'Echo may be called by a signed-in customer or the service booking, not by the service "mailer"');
  const operatorsOnly = access()(endpoint, withCallers(echoServer, declared({ operator: true, services: ["operator"] })));
  const traveller = await kitRejection(operatorsOnly(derive(base, { principal: customer }), {}));
  assert.is(traveller.message, "Echo may be called by a signed-in operator or the service operator, not by a customer without the operator role");
  const nobody = await kitRejection(undeclared(derive(base, { principal: booking }), {}));
  assert.is(nobody.message, "itinera.echo.v1.EchoService/Echo declares no callers in its contract, so nobody may call it: add option (itinera.options.v1.callers)");
  for (const e of [none, asCustomer, asMailer, traveller, nobody]) {
    assert.not.ok(/t-[csm]\b/.test(e.message), "no token in a message");
  }
});

test("access is checked before what it wraps: a bad request without a principal is Unauthenticated, not InvalidArgument", async () => {
  let validated = 0;
  const { endpoint, state } = countingEndpoint();
  const rejectEverything: Middleware = () => async () => {
    validated++;
    throw invalidArgument("message: must not be empty");
  };
  const ep = chain(access(), rejectEverything)(endpoint, withCallers(echoServer, declared({ services: ["booking"] })));
  assert.is((await kitRejection(ep(base, {}))).code, Code.Unauthenticated);
  assert.is((await kitRejection(ep(derive(base, { principal: mailer }), {}))).code, Code.PermissionDenied);
  assert.is(validated, 0);
  assert.is(state.calls, 0);
  assert.is((await kitRejection(ep(derive(base, { principal: booking }), {}))).code, Code.InvalidArgument, "a named service gets through to validation");
});

test("a client-side chain is never checked: the endpoint is returned as it is", async () => {
  const { endpoint, state } = countingEndpoint();
  for (const callers of [undefined, declared({ customer: true }), declared({ services: ["booking"] })]) {
    const ep = access()(endpoint, withCallers(echoClient, callers));
    assert.is(ep, endpoint);
    assert.is(await ep(base, {}), "ok", "no principal needed to send the call");
  }
  assert.is(state.calls, 3);
});

test("a server method anyone may call is not wrapped at all", () => {
  const { endpoint } = countingEndpoint();
  assert.is(access()(endpoint, withCallers(echoServer, declared({ anyone: true }))), endpoint);
});

test("customerOf: a customer is always themself; a service names the customer; anything else is Unauthenticated", async () => {
  assert.is(customerOf(derive(base, { principal: customer })), "c-1");
  assert.is(customerOf(derive(base, { principal: customer }), "c-2"), "c-1", "a customer cannot act for another customer");
  assert.is(customerOf(derive(base, { principal: booking }), "c-2"), "c-2");

  const noCustomer = async (f: () => string) => kitRejection(Promise.resolve().then(f));
  for (const [what, call] of [
    ["a service naming nobody", () => customerOf(derive(base, { principal: booking }))],
    ["a service naming an empty id", () => customerOf(derive(base, { principal: booking }), "")],
    ["no principal", () => customerOf(base, "c-2")],
  ] as const) {
    const e = await noCustomer(call);
    assert.is(e.code, Code.Unauthenticated, what);
    assert.is(e.message, "this call needs a signed-in customer", what);
  }
});

test.run();
