// The operator role over a real identity server (serveIdentity, as main.ts
// wires it) on real PostgreSQL: only the people's tools ("operator", its own
// credential) grant it, never a sign-up, a customer or another service; the
// grant reaches the roles claim at the next sign-in and refresh, which a
// verifier (what every other service runs) reads; granting again changes
// nothing; an unknown or unconfirmed address is refused and nothing is written;
// the database refuses any role but "customer" and "operator".
import { pino } from "pino";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { backgroundContext, derive, type Principal } from "../../endpoints/context.js";
import { Code } from "../../endpoints/errors.js";
import { OPERATOR_ROLE } from "../../endpoints/middleware/access.js";
import type { Client } from "../../endpoints/service.js";
import { kitRejection as failure } from "../../endpoints/testing.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import type { RunningServer } from "../../transport/server.js";
import { identityFixture, serveIdentity, testServiceSecret, type IdentityFixture } from "./fixture.js";
import { tokenVerifier, type VerifyToken } from "./verifier.js";

const PASSWORD = "correct horse battery";
const ctx = backgroundContext({ log: pino({ level: "silent" }) });
const as = (principal: Principal | undefined) => derive(ctx, { principal });
let f: IdentityFixture;
let server: RunningServer;
let identity: Client<typeof IdentityService>;
let verify: VerifyToken;

const serviceToken = async (name: string): Promise<Principal> => {
  const { accessToken } = await identity.issueServiceToken(ctx, { serviceName: name, secret: testServiceSecret(name) });
  return { kind: "service", id: name, roles: [], token: accessToken };
};

test.before(async () => {
  f = await identityFixture();
  server = await serveIdentity(f);
  identity = clientOf(IdentityService, grpcTransport(server.url));
  verify = tokenVerifier({ jwksUrl: new URL("/.well-known/jwks.json", server.url), verifiedMs: 0 });
});
test.after(async () => {
  await server?.close(5_000);
  await f?.close();
});

test("a sign-up is a customer only; the operator tool's grant puts the role in the next sign-in's and refresh's tokens", async () => {
  const up = await f.signedUp("grace@example.com", PASSWORD, "Grace");
  assert.equal((await verify(up.tokens.accessToken)).roles, ["customer"], "a sign-up never makes an operator");

  const granted = await identity.grantOperatorRole(as(await serviceToken("operator")), { email: " Grace@Example.com " });
  assert.equal([granted.customerId, granted.granted], [up.customerId, true]);

  const signedIn = await identity.signIn(ctx, { email: "grace@example.com", password: PASSWORD });
  const person = await verify(signedIn.tokens!.accessToken);
  assert.equal([person.kind, person.id, person.roles], ["customer", up.customerId, ["customer", OPERATOR_ROLE]]);
  const refreshed = await identity.refresh(ctx, { refreshToken: up.tokens.refreshToken });
  assert.ok((await verify(refreshed.tokens!.accessToken)).roles.includes(OPERATOR_ROLE), "a session from before the grant gets it at its refresh");

  const again = await identity.grantOperatorRole(as(await serviceToken("operator")), { email: "grace@example.com" });
  assert.equal([again.customerId, again.granted], [up.customerId, false]);
  assert.equal((await f.store.customerById(up.customerId))!.roles, ["customer", OPERATOR_ROLE], "granted once");
});

test("only the operator tool may grant: a customer, an operator person, another service and nobody are refused", async () => {
  const up = await f.signedUp("ada@example.com", PASSWORD, "Ada");
  const customer: Principal = { kind: "customer", id: up.customerId, roles: ["customer"], token: up.tokens.accessToken };
  await identity.grantOperatorRole(as(await serviceToken("operator")), { email: "grace@example.com" });
  const graceTokens = (await identity.signIn(ctx, { email: "grace@example.com", password: PASSWORD })).tokens!;
  const operatorPerson: Principal = { kind: "customer", id: "grace", roles: ["customer", OPERATOR_ROLE], token: graceTokens.accessToken };
  for (const [who, principal, code] of [
    ["nobody", undefined, Code.Unauthenticated],
    ["the customer herself", customer, Code.PermissionDenied],
    ["an operator person", operatorPerson, Code.PermissionDenied],
    ["the web service", await serviceToken("web"), Code.PermissionDenied],
  ] as const) {
    const e = await failure(identity.grantOperatorRole(as(principal), { email: "ada@example.com" }));
    assert.is(e.code, code, `${who}: ${e.message}`);
  }
  assert.equal((await f.store.customerById(up.customerId))!.roles, ["customer"], "nothing written");
});

test("an unknown address is NOT_FOUND, an unconfirmed one FAILED_PRECONDITION, a malformed one INVALID_ARGUMENT: nothing written", async () => {
  const operator = as(await serviceToken("operator"));
  const unknown = await failure(identity.grantOperatorRole(operator, { email: "nobody@example.com" }));
  assert.equal([unknown.code, unknown.message.includes("signs up")], [Code.NotFound, true]);

  await identity.signUp(ctx, { email: "pending@example.com", password: PASSWORD, displayName: "Pending" });
  const pending = await failure(identity.grantOperatorRole(operator, { email: "pending@example.com" }));
  assert.equal([pending.code, pending.message.includes("not confirmed")], [Code.FailedPrecondition, true]);
  assert.equal((await f.store.customerByEmail("pending@example.com"))!.roles, ["customer"]);

  for (const email of ["", "not an address", `${"a".repeat(250)}@example.com`]) {
    assert.is((await failure(identity.grantOperatorRole(operator, { email }))).code, Code.InvalidArgument, JSON.stringify(email));
  }
});

test("the database keeps roles to the two known ones", async () => {
  const up = await f.signedUp("mallory@example.com", PASSWORD);
  const e = await f.database.knex("customers").where({ customer_id: up.customerId }).update({ roles: ["customer", "admin"] }).catch((x: unknown) => x);
  assert.ok(e instanceof Error && /customers_roles_known/.test(e.message), `an unknown role is refused: ${String(e)}`);
});

test.run();
