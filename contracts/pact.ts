// Consumer-driven contracts over Connect JSON, in one import for every edge:
// contracts/consumers/<consumer>-<provider>.pact.test.ts writes a pact with
// consumerPact + connectRequest/connectResponse/connectError and Pact's
// matchers; contracts/providers/<provider>.verify.test.ts replays every pact
// naming the provider with verifyProvider; the browser's cookies and CSRF
// header for the web app's pacts. contracts/README.md tells how.
export { MatchersV3 as Matchers } from "@pact-foundation/pact";
export { consumerPact, pactChanges, PACTS_DIR, type ConsumerPact, type ConsumerPactOptions } from "./consumer.js";
export {
  BEARER,
  BEARER_EXAMPLE,
  connectError,
  connectRequest,
  connectResponse,
  int64String,
  procedurePath,
  stateValue,
  withBearer,
  withCustomerBearer,
  withHeaders,
  type ConnectRequest,
  type ConnectResponse,
  type HeaderTemplates,
} from "./connect.js";
export {
  CSRF_COOKIE,
  CSRF_EXAMPLE,
  CSRF_HEADER,
  SESSION_COOKIE,
  SESSION_EXAMPLE,
  withCsrf,
  withSession,
  withSessionAndCsrf,
} from "./browser.js";
export {
  stringListParam,
  stringParam,
  verifyProvider,
  type ProviderStates,
  type StateParams,
  type StateValues,
  type Verification,
  type VerifyOptions,
} from "./provider.js";
