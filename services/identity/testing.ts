// Tokens for tests of OTHER services, without an identity process: a signing
// key made in memory, principals carrying real signed tokens, and the
// Authenticate that verifies them exactly as identityAccess does in main.ts.
//
//   const auth = await testTokens();
//   serveService(router, BookingService, endpoints, { log, authenticate: auth.authenticate });
//   const ctx = backgroundContext({ log, principal: await auth.customer("c-1") });
import type { Principal } from "../../endpoints/context.js";
import { OPERATOR_ROLE } from "../../endpoints/middleware/access.js";
import type { Authenticate } from "../../transport/context.js";
import { newSigningKey, signerOf } from "./signing-keys.js";
import { bearerAuthenticator, tokenVerifier } from "./verifier.js";

export interface TestTokens {
  authenticate: Authenticate;
  /** A customer principal with a signed token (valid 15 min unless ttlSeconds says otherwise). */
  customer(customerId: string, ttlSeconds?: number): Promise<Principal>;
  /** A person with the operator role (a customer principal whose token's roles carry "operator"). */
  operator(customerId: string, ttlSeconds?: number): Promise<Principal>;
  /** A service principal with a signed token. */
  service(serviceName: string, ttlSeconds?: number): Promise<Principal>;
  /** A token signed by a key the verifier does not trust. */
  foreignToken(customerId: string): Promise<string>;
}

export async function testTokens(): Promise<TestTokens> {
  const key = await newSigningKey(new Date());
  const signer = await signerOf(key, [key]);
  const stranger = await newSigningKey(new Date());
  const strangerSigner = await signerOf({ ...stranger, kid: key.kid }, [stranger]);
  const principal = async (kind: Principal["kind"], id: string, ttlSeconds = 900, roles: string[] = []): Promise<Principal> => ({
    kind,
    id,
    roles,
    token: await signer.sign({ sub: id, roles, kind }, new Date(), ttlSeconds),
  });
  return {
    authenticate: bearerAuthenticator(tokenVerifier({ getKeys: async () => signer.jwks })),
    customer: (id, ttl) => principal("customer", id, ttl),
    operator: (id, ttl) => principal("customer", id, ttl, ["customer", OPERATOR_ROLE]),
    service: (name, ttl) => principal("service", name, ttl),
    foreignToken: (id) => strangerSigner.sign({ sub: id, roles: [] }, new Date(), 900),
  };
}
