// How a service other than identity takes part in authentication, wired in
// its main.ts in one line:
//
//   const cfg = config(process.env, { ...identitySettings("booking"), … });
//   const auth = identityAccess({ ...cfg, serviceName: "booking", registry, tracer, log });
//   serveService(router, BookingService, endpoints, { log, authenticate: auth.authenticate });
//   const ctx = backgroundContext({ log, principal: await auth.tokens.principal(ctx0) });
//   const peer = clientOf(PeerService, transport, ...clientStack({ ..., callAs: auth.servicePrincipal }).middlewares);
//
// `authenticate` verifies customers' and services' bearer tokens locally
// against identity's JWKS (cached, refetched on an unknown kid); `tokens` is
// the service's own identity for background work; `identity` is the client
// the service may also use (GetCustomer).
import type { Tracer } from "@opentelemetry/api";
import type { Logger } from "pino";
import { derive } from "../../endpoints/context.js";
import type { PrincipalOf } from "../../endpoints/middleware/call-as.js";
import type { Registry } from "prom-client";
import { clientStack, type ClientStack } from "../../endpoints/stack.js";
import type { Client } from "../../endpoints/service.js";
import { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { peerUrls, secret } from "../../platform/config.js";
import { peerUrlList } from "../../platform/peer-urls.js";
import { clientOf, grpcTransport } from "../../transport/client.js";
import type { Authenticate } from "../../transport/context.js";
import { developmentServiceSecret, serviceTokens, type ServiceTokens } from "./service-tokens.js";
import { bearerAuthenticator, tokenVerifier, type VerifyToken } from "./verifier.js";

/**
 * The settings every service with authenticated methods reads: IDENTITY_URL,
 * and SERVICE_SECRET, this service's own credential at identity (its
 * development default is distinct per service; production refuses it).
 */
export function identitySettings(serviceName: string) {
  return {
    identityUrl: peerUrls("IDENTITY_URL", "http://127.0.0.1:7001"),
    serviceSecret: secret("SERVICE_SECRET", developmentServiceSecret(serviceName)),
  };
}

export interface IdentityAccessOptions {
  /** One base URL, or the replicas' (identitySettings reads IDENTITY_URL). */
  identityUrl: string;
  serviceSecret: string;
  /** This service's name: the subject of its own tokens. */
  serviceName: string;
  registry: Registry;
  tracer: Tracer;
  /** Where identity's replicas going out of the balancing and coming back are logged. */
  log: Logger;
}

export interface IdentityAccess {
  authenticate: Authenticate;
  /** The token verifier `authenticate` uses (identity's keys, fetched from any of its replicas). */
  verify: VerifyToken;
  tokens: ServiceTokens;
  /**
   * The service's own principal for a call made for itself, whatever principal
   * the Context carries (a customer's token is not forwarded to identity).
   */
  servicePrincipal: PrincipalOf;
  identity: Client<typeof IdentityService>;
  /** The identity client's circuits, to close at shutdown. */
  stack: ClientStack;
}

export function identityAccess(o: IdentityAccessOptions): IdentityAccess {
  const stack = clientStack({ registry: o.registry, tracer: o.tracer, timeoutMs: 2_000 });
  const identity = clientOf(IdentityService, grpcTransport(o.identityUrl, { log: o.log }), ...stack.middlewares);
  const tokens = serviceTokens({ identity, serviceName: o.serviceName, secret: o.serviceSecret });
  const verify = tokenVerifier({ jwksUrl: peerUrlList(o.identityUrl).map((u) => new URL("/.well-known/jwks.json", u)) });
  return {
    authenticate: bearerAuthenticator(verify),
    verify,
    tokens,
    servicePrincipal: (ctx) => tokens.principal(derive(ctx, { principal: undefined })),
    identity,
    stack,
  };
}
