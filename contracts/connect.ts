// Connect's JSON protocol in Pact terms: what a Connect client sends for a
// unary call (POST /<package.Service>/<Method>, application/json, the request
// in proto JSON), and what it accepts back (200 with the response in proto
// JSON, or an error status with {"code": "<snake_case>", ...}).
//
// Requests are written as the consumer's messages and serialised exactly as
// the Connect client serialises them (lowerCamel names, int64 as strings,
// zero values left out); responses are templates with Pact matchers, naming
// only the fields the consumer reads.
//
//   pact.interaction()
//     .given("a customer has a wallet balance", { customerId: "c-1", currency: "EUR", amountMinor: "10000" })
//     .uponReceiving("a balance request for a customer with money")
//     .withRequest(...connectRequest(WalletService.method.getBalance, { customerId: "c-1", currency: "EUR" }))
//     .willRespondWith(...connectResponse({ balance: like({ available: { amountMinor: int64String("10000") } }) }))
import { create, toJson, type DescMethodUnary, type JsonObject, type MessageInitShape } from "@bufbuild/protobuf";
import { Code as ConnectCode } from "@connectrpc/connect";
import { codeToHttpStatus, codeToString } from "@connectrpc/connect/protocol-connect";
import { MatchersV3, type PactV4 } from "@pact-foundation/pact";
import type { Code } from "../endpoints/errors.js";

type Interaction = ReturnType<PactV4["addInteraction"]>;
type RequestBuilderFunc = NonNullable<Parameters<Interaction["withRequest"]>[2]>;
type ResponseBuilderFunc = NonNullable<Parameters<ReturnType<Interaction["withRequest"]>["willRespondWith"]>[1]>;

/** Arguments of Pact's withRequest: spread them, `.withRequest(...connectRequest(...))`. */
export type ConnectRequest = [method: "POST", path: string, builder: RequestBuilderFunc];
/** Arguments of Pact's willRespondWith: `.willRespondWith(...connectResponse(...))`. */
export type ConnectResponse = [status: number, builder: ResponseBuilderFunc];

const JSON_CONTENT = { "Content-Type": "application/json" };

/** The HTTP path of a method: "/itinera.wallet.v1.WalletService/GetBalance". */
export function procedurePath(method: DescMethodUnary): string {
  return `/${method.parent.typeName}/${method.name}`;
}

/**
 * A unary Connect call with a JSON body, as clientOf(desc, connectTransport(url,
 * { binary: false })) sends it. Pact matches request bodies exactly and
 * refuses fields it was not told about; `template` may replace parts of the
 * JSON with matchers, for values the consumer generates (idempotency keys, times).
 */
export function connectRequest<M extends DescMethodUnary>(
  method: M,
  body: MessageInitShape<M["input"]>,
  template: (json: JsonObject) => unknown = (json) => json,
): ConnectRequest {
  const json = toJson(method.input, create(method.input, body)) as JsonObject;
  return [
    "POST",
    procedurePath(method),
    (b) => b.headers({ ...JSON_CONTENT, "Connect-Protocol-Version": "1" }).jsonBody(template(json)),
  ];
}

/** The token in the pact's example of withBearer, which verifyProvider's `bearerTokens` replace. */
export const BEARER_EXAMPLE = "Bearer service-token";

/**
 * The bearer token of the calling service (the method's callers name it): in
 * the pact, any `authorization: Bearer <token>` header (the consumer's token
 * is its own and expires); the provider's verification sends a token of the
 * consumer's identity that its server accepts instead (verifyProvider's
 * `bearerTokens`).
 */
export const BEARER = MatchersV3.regex(/^Bearer .+$/, BEARER_EXAMPLE);

/** Header templates, as Pact's builders take them (values may be matchers). */
export type HeaderTemplates = Parameters<Parameters<RequestBuilderFunc>[0]["headers"]>[0];

/** A request with more headers: `.withRequest(...withHeaders(connectRequest(...), { cookie: ... }))`. */
export function withHeaders(request: ConnectRequest, headers: HeaderTemplates): ConnectRequest {
  const [method, path, builder] = request;
  return [method, path, (b) => builder(b.headers(headers))];
}

/** A request carrying the caller's bearer token: `.withRequest(...withBearer(connectRequest(...)))`. */
export function withBearer(request: ConnectRequest): ConnectRequest {
  return withHeaders(request, { authorization: BEARER });
}

/**
 * A value the provider's state chooses (an id it assigned, a token it
 * signed), shaped like `pattern`: Matchers.fromProviderState, but matched by
 * the regex instead of "any string" on the consumer's side. `expression`
 * names the state's values: "Bearer ${customerToken}".
 */
export function stateValue(expression: string, pattern: RegExp, example: string): MatchersV3.V3RegexMatcher {
  return { ...MatchersV3.regex(pattern, example), "pact:generator:type": "ProviderState", expression } as MatchersV3.V3RegexMatcher;
}

/**
 * A request carrying a customer's own token, as a service forwards it on the
 * customer's behalf (the web BFF to payment and booking, which answer a
 * customer only what is theirs): any bearer token in the pact; in the
 * provider's verification, the token of the state's customer, which the
 * state answers as `customerToken` (verifyProvider's `bearerTokens` leave it be).
 */
export function withCustomerBearer(request: ConnectRequest): ConnectRequest {
  return withHeaders(request, { authorization: stateValue("Bearer ${customerToken}", /^Bearer .+$/, "Bearer customer-token") });
}

/** A successful unary answer: 200 and a body template in proto JSON names (lowerCamel). */
export function connectResponse(body: unknown): ConnectResponse {
  return [200, (b) => b.headers(JSON_CONTENT).jsonBody(body)];
}

/**
 * A Connect error the consumer handles: the HTTP status Connect maps the code
 * to (not_found → 404, invalid_argument → 400, ...) and {"code": "not_found"}.
 * `body` adds what else the consumer reads (a message, error details).
 */
export function connectError(code: Code, body: Record<string, unknown> = {}): ConnectResponse {
  const connectCode = code as number as ConnectCode;
  return [
    codeToHttpStatus(connectCode),
    (b) => b.headers(JSON_CONTENT).jsonBody({ code: codeToString(connectCode), ...body }),
  ];
}

/** An int64 in proto JSON: a decimal string such as "10000" (any such string matches). */
export function int64String(example: string): MatchersV3.V3RegexMatcher {
  return MatchersV3.regex(/^-?\d+$/, example);
}
