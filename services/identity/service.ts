// The identity service (itinera.identity.v1.IdentityService): sign-up
// confirmed by an e-mailed link (the answer never says whether the address
// has an account: the e-mail does, to its owner), sign-in with e-mail and
// password, access tokens (EdDSA JWTs, 15 min) and
// single-use refresh tokens (opaque, 30 days, stored hashed) in families —
// one per sign-in, revoked as a whole at sign-out or when a spent token comes
// back — and the public keys. E-mail addresses and passwords never reach a log or an error message.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { failedPrecondition, invalidArgument, notFound, permissionDenied, unauthenticated } from "../../endpoints/errors.js";
import { OPERATOR_ROLE } from "../../endpoints/middleware/access.js";
import type { Service } from "../../endpoints/service.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import type { IdentityService, TokensSchema } from "../../gen/itinera/identity/v1/identity_pb.js";
import { publishSignUpForExistingAccount, publishVerificationRequested, type Publisher } from "./events.js";
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
export const VERIFICATION_TTL_SECONDS = 24 * 60 * 60;
export const BAD_VERIFICATION_LINK =
  "this link is unknown, already used or expired: sign in if you already confirmed your address, or sign up again for a new link";
export const UNVERIFIED = "confirm your address first: we sent you an e-mail with a link";
export const BAD_REFRESH_TOKEN = "the refresh token is unknown, expired, revoked or already used: sign in again";

export interface IdentityServiceDeps {
  store: IdentityStore;
  signer: TokenSigner;
  /** Where sign-ups publish the e-mails they call for (in their own transaction). */
  bus: Publisher;
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
  const { store, signer, bus } = deps;
  const now = deps.now ?? (() => new Date());
  // A hash to check unknown e-mail addresses against, so they take as long as wrong passwords.
  let decoy: Promise<string> | undefined;

  /** A new pair; the refresh token joins `familyId`, or a new family (a sign-in) when there is none. */
  async function issue(customer: Pick<CustomerRow, "customerId" | "roles">, familyId?: string): Promise<MessageInitShape<typeof TokensSchema>> {
    const time = now();
    const refreshToken = randomBytes(32).toString("base64url");
    await store.insertRefreshToken({
      tokenHash: digest(refreshToken),
      customerId: customer.customerId,
      familyId: familyId ?? (await store.newFamily(customer.customerId, time)),
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
    async signUp(ctx, req) {
      if ([...req.password].length < MIN_PASSWORD_LENGTH) {
        const description = `must be at least ${MIN_PASSWORD_LENGTH} characters`;
        throw invalidArgument(`password: ${description}`, [{ field: "password", rule: "min_len", description }]);
      }
      // Hashed whether or not the address has an account: both answers take the time of one scrypt.
      const passwordHash = await hashPassword(req.password);
      const time = now();
      const displayName = req.displayName.trim();
      await store.signUp(async (tx) => {
        const customer = await tx.customerForSignUp({ email: normaliseEmail(req.email), displayName, passwordHash, createTime: time });
        if (customer.verifiedTime) {
          await publishSignUpForExistingAccount(bus, tx.outbox, ctx, customer.customerId, randomUUID());
          return;
        }
        const token = randomBytes(32).toString("base64url");
        const expireTime = new Date(time.getTime() + VERIFICATION_TTL_SECONDS * 1000);
        const verificationId = await tx.insertVerification({
          tokenHash: digest(token),
          customerId: customer.customerId,
          passwordHash,
          displayName,
          expireTime,
          createTime: time,
        });
        await publishVerificationRequested(bus, tx.outbox, ctx, { customerId: customer.customerId, verificationId, token, expireTime });
      });
      ctx.log.info("sign-up answered: the next step is in the e-mail");
      return {};
    },

    async verifyEmail(ctx, req) {
      const customer = await store.verifyEmail(digest(req.token), now());
      if (!customer) throw unauthenticated(BAD_VERIFICATION_LINK);
      ctx.log.info({ customer_id: customer.customerId }, "address confirmed");
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
      if (!customer.verifiedTime) throw failedPrecondition(UNVERIFIED);
      return { customerId: customer.customerId, tokens: await issue(customer) };
    },

    async refresh(ctx, req) {
      const use = await store.useRefreshToken(digest(req.refreshToken), now());
      if (use.outcome === "reused") ctx.log.warn("a spent refresh token was presented again: its family is revoked");
      const customer = use.outcome === "used" ? await store.customerById(use.customerId) : undefined;
      if (use.outcome !== "used" || !customer) throw unauthenticated(BAD_REFRESH_TOKEN);
      return { customerId: customer.customerId, tokens: await issue(customer, use.familyId) };
    },

    async signOut(ctx, req) {
      if (await store.revokeFamilyOf(digest(req.refreshToken), now())) ctx.log.info("signed out: refresh-token family revoked");
      return {};
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

    async grantOperatorRole(ctx, req) {
      const email = normaliseEmail(req.email);
      const account = await store.customerByEmail(email);
      if (!account) throw notFound(NO_ACCOUNT);
      if (!account.verifiedTime) throw failedPrecondition("the account's address is not confirmed yet: the person follows the sign-up e-mail's link first");
      const result = await store.grantRole(email, OPERATOR_ROLE);
      if (!result) throw notFound(NO_ACCOUNT);
      if (result.granted) ctx.log.warn({ customer_id: result.customer.customerId }, "operator role granted");
      return { customerId: result.customer.customerId, granted: result.granted };
    },

    async getJwks() {
      return {
        jwksJson: JSON.stringify(signer.jwks),
        keyIds: signer.jwks.keys.map((k) => k.kid ?? ""),
      };
    },
  };
}

const NO_ACCOUNT = "no account has this address: the person signs up (and confirms the address) first, then the role is granted";
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** How refresh tokens and link tokens are stored: a leaked table does not leak them. */
function digest(token: string): Buffer {
  return createHash("sha256").update(token).digest();
}
