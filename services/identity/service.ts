// The identity service (itinera.identity.v1.IdentityService): sign-up and
// sign-in with e-mail and password, access tokens (EdDSA JWTs, 15 min) and
// single-use refresh tokens (opaque, 30 days, stored hashed), and the public
// keys. E-mail addresses and passwords never reach a log or an error message.
import { createHash, randomBytes } from "node:crypto";
import { alreadyExists, invalidArgument, notFound, permissionDenied, unauthenticated } from "../../endpoints/errors.js";
import type { Service } from "../../endpoints/service.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { IdentityService, TokensSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { hashPassword, verifyPassword } from "./passwords.js";
import { serviceOf, type ServiceCredentials } from "./service-credentials.js";
import type { TokenSigner } from "./signing-keys.js";
import type { CustomerRow, IdentityStore } from "./store.js";

export const ACCESS_TTL_SECONDS = 15 * 60;
export const REFRESH_TTL_SECONDS = 30 * 24 * 60 * 60;
export const MIN_PASSWORD_LENGTH = 10;
/** The one answer to every failed sign-in: it does not say which part was wrong. */
export const BAD_CREDENTIALS = "the e-mail address or the password is wrong";
export const SERVICE_TTL_SECONDS = 15 * 60;
export const BAD_SERVICE_SECRET = "the service secret is not the credential of any service";
export const BAD_REFRESH_TOKEN = "the refresh token is unknown, expired or already used";

export interface IdentityServiceDeps {
  store: IdentityStore;
  signer: TokenSigner;
  /** Each service's credential (SERVICE_CREDENTIALS): a token only for the service whose secret is presented. */
  serviceCredentials: ServiceCredentials;
  /** The clock; tests pass another. */
  now?: () => Date;
}

/** Trimmed and in lower case: how e-mail addresses are stored and compared. */
export function normaliseEmail(email: string): string {
  return email.trim().toLowerCase();
}

export function identityService(deps: IdentityServiceDeps): Service<typeof IdentityService> {
  const { store, signer } = deps;
  const now = deps.now ?? (() => new Date());
  // A hash to check unknown e-mail addresses against, so they take as long as wrong passwords.
  let decoy: Promise<string> | undefined;

  async function issue(customer: Pick<CustomerRow, "customerId" | "roles">): Promise<MessageInitShape<typeof TokensSchema>> {
    const time = now();
    const refreshToken = randomBytes(32).toString("base64url");
    await store.insertRefreshToken({
      tokenHash: refreshHash(refreshToken),
      customerId: customer.customerId,
      expireTime: new Date(time.getTime() + REFRESH_TTL_SECONDS * 1000),
      createTime: time,
    });
    const accessToken = await signer.sign({ sub: customer.customerId, roles: customer.roles }, time, ACCESS_TTL_SECONDS);
    return {
      accessToken,
      accessExpiresInSeconds: ACCESS_TTL_SECONDS,
      refreshToken,
      refreshExpiresInSeconds: REFRESH_TTL_SECONDS,
    };
  }

  return {
    async signUp(_ctx, req) {
      if ([...req.password].length < MIN_PASSWORD_LENGTH) {
        const description = `must be at least ${MIN_PASSWORD_LENGTH} characters`;
        throw invalidArgument(`password: ${description}`, [{ field: "password", rule: "min_len", description }]);
      }
      const customer = await store.insertCustomer({
        email: normaliseEmail(req.email),
        displayName: req.displayName.trim(),
        passwordHash: await hashPassword(req.password),
        createTime: now(),
      });
      if (!customer) throw alreadyExists("a customer with this e-mail address already exists");
      return { customerId: customer.customerId, tokens: await issue(customer) };
    },

    async signIn(_ctx, req) {
      const customer = await store.customerByEmail(normaliseEmail(req.email));
      if (!customer) {
        decoy ??= hashPassword(randomBytes(16).toString("hex"));
        await verifyPassword(req.password, await decoy);
        throw unauthenticated(BAD_CREDENTIALS);
      }
      if (!(await verifyPassword(req.password, customer.passwordHash))) throw unauthenticated(BAD_CREDENTIALS);
      return { customerId: customer.customerId, tokens: await issue(customer) };
    },

    async refresh(_ctx, req) {
      const customerId = req.refreshToken === "" ? undefined : await store.useRefreshToken(refreshHash(req.refreshToken), now());
      const customer = customerId === undefined ? undefined : await store.customerById(customerId);
      if (!customer) throw unauthenticated(BAD_REFRESH_TOKEN);
      return { customerId: customer.customerId, tokens: await issue(customer) };
    },

    async issueServiceToken(_ctx, req) {
      // The subject is the credential's service; the name asked for must be it.
      const service = serviceOf(deps.serviceCredentials, req.secret);
      if (service === undefined) throw unauthenticated(BAD_SERVICE_SECRET);
      if (service !== req.serviceName) {
        throw permissionDenied(`this is the credential of the ${service} service, not of ${req.serviceName}: each service asks for its own token with its own SERVICE_SECRET`);
      }
      const accessToken = await signer.sign({ sub: service, roles: [], kind: "service" }, now(), SERVICE_TTL_SECONDS);
      return { accessToken, expiresInSeconds: SERVICE_TTL_SECONDS };
    },

    async getCustomer(_ctx, req) {
      const customer = UUID.test(req.customerId) ? await store.customerById(req.customerId) : undefined;
      if (!customer) throw notFound("no such customer");
      return { customerId: customer.customerId, email: customer.email, displayName: customer.displayName };
    },

    async getJwks() {
      return {
        jwksJson: JSON.stringify(signer.jwks),
        keyIds: signer.jwks.keys.map((k) => k.kid ?? ""),
      };
    },
  };
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function refreshHash(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
