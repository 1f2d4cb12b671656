// What identity accepts, per method, checked by the validation middleware
// before the service runs. Violations name the field, never its value.
import { emailAddress, maxLen, pattern, required, validator, violation } from "../../endpoints/rules.js";
import type { Validators } from "../../endpoints/service.js";
import type { IdentityService } from "../../gen/itinera/identity/v1/identity_pb.js";
import { MIN_PASSWORD_LENGTH } from "./service.js";

export function identityValidators(): Validators<typeof IdentityService> {
  const email = (value: string) => [required("email", value, { maxLen: 254 }), value.trim() !== "" && emailAddress("email", value)];
  return {
    signUp: validator((req) => [
      email(req.email),
      [...req.password].length < MIN_PASSWORD_LENGTH
        ? violation("password", "min_len", `must be at least ${MIN_PASSWORD_LENGTH} characters`)
        : maxLen("password", req.password, 1024),
      required("display_name", req.displayName, { maxLen: 100 }),
    ]),
    signIn: validator((req) => [
      required("email", req.email, { maxLen: 254 }),
      required("password", req.password, { maxLen: 1024 }),
      maxLen("client_address", req.clientAddress, 100),
    ]),
    refresh: validator((req) => [required("refresh_token", req.refreshToken, { maxLen: 256 })]),
    verifyEmail: validator((req) => [required("token", req.token, { maxLen: 256 })]),
    signOut: validator((req) => [required("refresh_token", req.refreshToken, { maxLen: 256 })]),
    getJwks: validator(() => []),
    issueServiceToken: validator((req) => [
      required("service_name", req.serviceName, { maxLen: 64 }),
      req.serviceName !== "" && pattern("service_name", req.serviceName, /^[a-z][a-z0-9-]*$/, "a lower-case service name"),
      required("secret", req.secret, { maxLen: 256 }),
    ]),
    getCustomer: validator((req) => [required("customer_id", req.customerId, { maxLen: 64 })]),
    grantOperatorRole: validator((req) => email(req.email)),
  };
}
