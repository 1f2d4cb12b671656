// Authentication end to end over a real identity server (serveIdentity, as
// main.ts wires it), with no process: a service exchanges its own secret
// for a token (IssueServiceToken) and calls GetCustomer, a services-only
// method; customers and anonymous callers are refused with the right codes;
// and identityAccess — the one-line wiring other services use — gets its
// service principal and verifies tokens against this server's JWKS.
import { pino } from "pino";
import { Registry } from "prom-client";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { trace } from "@opentelemetry/api";
import { backgroundContext, derive, type Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import type { Client } from "../../endpoints/service.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import type { RunningServer } from "../../transport/server.js";
import { identityAccess, type IdentityAccess } from "./access.js";
import { BAD_SERVICE_SECRET } from "./service.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "./fixture.js";

const ctx = backgroundContext({ log: pino({ level: "silent" }) });
const as = (principal: Principal | undefined) => derive(ctx, { principal });
let f: IdentityFixture;
let server: RunningServer;
let identity: Client<typeof IdentityService>;
let customer: { id: string; principal: Principal; refreshToken: string };
const accesses: IdentityAccess[] = [];

test.before(async () => {
  f = await identityFixture();
  server = await serveIdentity(f);
  identity = clientOf(IdentityService, grpcTransport(server.url));
  const up = await f.signedUp("edsger@example.com", "goto considered harmful", "Edsger");
  customer = {
    id: up.customerId,
    principal: { kind: "customer", id: up.customerId, roles: ["customer"], token: up.tokens.accessToken },
    refreshToken: up.tokens.refreshToken,
  };
});
test.after(async () => {
  accesses.forEach((a) => a.stack.breaker.close());
  await server?.close(5_000);
  await f?.close();
});

function accessFor(serviceName: string, serviceSecret = testServiceSecret(serviceName)): IdentityAccess {
  const a = identityAccess({ identityUrl: server.url, serviceSecret, serviceName, registry: new Registry(), tracer: trace.getTracer("test"), log: ctx.log });
  accesses.push(a);
  return a;
}

test("a service token from IssueServiceToken opens GetCustomer, a services-only method", async () => {
  const { accessToken } = await identity.issueServiceToken(ctx, { serviceName: "mailer", secret: testServiceSecret("mailer") });
  const mailer: Principal = { kind: "service", id: "mailer", roles: [], token: accessToken };
  const got = await identity.getCustomer(as(mailer), { customerId: customer.id });
  assert.equal([got.customerId, got.email, got.displayName], [customer.id, "edsger@example.com", "Edsger"]);

  for (const customerId of ["00000000-0000-4000-8000-000000000000", "not-a-uuid"]) {
    const e = await failure(identity.getCustomer(as(mailer), { customerId }));
    assert.is(e.code, Code.NotFound, customerId);
  }
});

test("GetCustomer without a token is Unauthenticated, with a customer's or an unnamed service's token PermissionDenied", async () => {
  const anonymous = await failure(identity.getCustomer(ctx, { customerId: customer.id }));
  assert.is(anonymous.code, Code.Unauthenticated);
  assert.is(anonymous.message, 'GetCustomer may be called by the services web, mailer: send "authorization: Bearer <access token>"');

  const asCustomer = await failure(identity.getCustomer(as(customer.principal), { customerId: customer.id }));
  assert.is(asCustomer.code, Code.PermissionDenied);
  assert.is(asCustomer.message, "GetCustomer may be called by the services web, mailer, not by a customer");

  const booking = await accessFor("booking").tokens.principal(ctx);
  const asBooking = await failure(identity.getCustomer(as(booking), { customerId: customer.id }));
  assert.is(asBooking.code, Code.PermissionDenied);
  assert.is(asBooking.message, 'GetCustomer may be called by the services web, mailer, not by the service "booking"');

  const forged: Principal = { kind: "service", id: "mailer", roles: [], token: "not-a-token" };
  assert.is((await failure(identity.getCustomer(as(forged), { customerId: customer.id }))).code, Code.Unauthenticated);
});

test("public methods work whatever bearer token comes along (Refresh after the access token expired)", async () => {
  const stale: Principal = { ...customer.principal, token: "expired-or-garbage" };
  const refreshed = await identity.refresh(as(stale), { refreshToken: customer.refreshToken });
  assert.is(refreshed.customerId, customer.id);
  customer.refreshToken = refreshed.tokens!.refreshToken;
  assert.ok((await identity.getJwks(as(stale), {})).keyIds.length === 1);
});

test("identityAccess: the service's own principal, usable at once; its authenticate verifies against the JWKS", async () => {
  const mailer = accessFor("mailer");
  const principal = await mailer.tokens.principal(ctx);
  assert.equal({ ...principal, token: undefined }, { kind: "service", id: "mailer", roles: [], token: undefined });
  const got = await mailer.identity.getCustomer(as(principal), { customerId: customer.id });
  assert.is(got.customerId, customer.id);
  assert.is(await mailer.tokens.principal(ctx), principal, "the token is cached");
  assert.is(await mailer.servicePrincipal(as(customer.principal)), principal, "servicePrincipal: the service's own, whoever the call is for");

  assert.equal(await mailer.authenticate(`Bearer ${principal.token}`), principal);
  assert.equal(await mailer.authenticate(`Bearer ${customer.principal.token}`), customer.principal);
  assert.is(await mailer.authenticate(undefined), undefined);
  assert.is((await failure(mailer.authenticate("Bearer forged.token.here"))).code, Code.Unauthenticated);
});

test("identityAccess with a wrong secret: no principal, Unauthenticated naming the secret as the problem", async () => {
  const e = await failure(accessFor("booking", "not-the-secret").tokens.principal(ctx));
  assert.is(e.code, Code.Unauthenticated);
  assert.is(e.message, BAD_SERVICE_SECRET);
});

test("identityAccess with another service's secret: the mailer's credential gets no booking principal", async () => {
  const e = await failure(accessFor("booking", testServiceSecret("mailer")).tokens.principal(ctx));
  assert.is(e.code, Code.PermissionDenied);
  assert.match(e.message, /credential of the mailer service, not of booking/);
});

test.run();
