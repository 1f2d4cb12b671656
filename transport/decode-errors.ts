// A request connect-es cannot decode is the caller's fault: INVALID_ARGUMENT,
// never INTERNAL. connect-es 2.3 answers INTERNAL for a protobuf body it
// cannot parse ("parse binary: premature EOF"), for a compressed gRPC frame
// without grpc-encoding, and for a few inflate failures; it has no hook
// between reading the request and writing the error. Every protocol handler
// (Connect unary and streaming, gRPC, gRPC-Web) aborts the call's context
// with the error just before it writes it, so the request gate (which runs
// for every call, before the body is read) listens for that abort and, when
// the implementation never ran, turns an INTERNAL into INVALID_ARGUMENT in
// place. Errors of an implementation that ran (transport/serve.ts marks it)
// are left alone: their INTERNAL is ours. A bidi stream reads its requests
// while running: decodedRequests() classifies what its request iterator
// throws. transport/server.test.ts proves each protocol; a connect-es upgrade
// that changes this fails there.
//
// connect-es answers a unary call whose body holds no message, or more than
// one, UNIMPLEMENTED ("protocol error: missing input message"): the caller's
// fault too, so INVALID_ARGUMENT as well.
//
// The unary gRPC fast path (transport/grpc-unary.ts) words what it cannot
// decode with `undecodable`, the same words as here.
//
// A Connect GET's base64 `message` that is not base64 makes connect-es throw
// a plain Error, which it answers INTERNAL before any hook sees a
// ConnectError: the gate checks it first.
//
// JSON: connect-es decodes the body with a lenient TextDecoder (invalid UTF-8
// becomes U+FFFD); STRICT_JSON makes invalid UTF-8 an error (INVALID_ARGUMENT).
import { base64Decode } from "@bufbuild/protobuf/wire";
import { Code, ConnectError, createContextKey, type HandlerContext } from "@connectrpc/connect";

interface CallState {
  implementationRan: boolean;
}

const CALL_STATE = createContextKey<CallState | undefined>(undefined, { description: "itinera call state" });

/** connect-es' request gate: refuses an undecodable GET query, installs the reclassification for the call. */
export function classifyDecodeErrors(context: HandlerContext): void {
  if (context.requestMethod === "GET") checkGetQuery(context.url);
  const state: CallState = { implementationRan: false };
  context.values.set(CALL_STATE, state);
  context.signal.addEventListener(
    "abort",
    () => {
      if (!state.implementationRan) asInvalidArgument(context.signal.reason);
    },
    { once: true },
  );
}

/** Called by an implementation as it starts: from then on, INTERNAL is the server's own. */
export function markImplementationRan(context: HandlerContext): void {
  const state = context.values.get(CALL_STATE);
  if (state) state.implementationRan = true;
}

/** A stream of requests whose decode failures are INVALID_ARGUMENT (bidi methods read while running). */
export async function* decodedRequests<T>(requests: AsyncIterable<T>): AsyncIterable<T> {
  try {
    yield* requests;
  } catch (e) {
    asInvalidArgument(e);
    throw e;
  }
}

/** The JSON options that refuse invalid UTF-8 (connect-es reads `textDecoder`, its type does not list it). */
export const STRICT_JSON: { ignoreUnknownFields: boolean; textDecoder: TextDecoder } = {
  ignoreUnknownFields: true,
  textDecoder: new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }),
};

function checkGetQuery(url: string): void {
  const query = new URL(url, "http://rpc").searchParams;
  if (query.get("base64") !== "1") return;
  try {
    base64Decode(query.get("message") ?? "");
  } catch {
    throw new ConnectError("the message query parameter is not base64", Code.InvalidArgument);
  }
}

/** The error for a request whose bytes do not decode; `why` is what the decoder said. */
export function undecodable(why: string): ConnectError {
  return new ConnectError(`${UNDECODABLE}${why}`, Code.InvalidArgument);
}

const UNDECODABLE = "the request could not be decoded: ";

function asInvalidArgument(reason: unknown): void {
  if (!(reason instanceof ConnectError)) return;
  const wrongCount = reason.code === Code.Unimplemented && reason.rawMessage.startsWith("protocol error:");
  if (reason.code !== Code.Internal && !wrongCount) return;
  // ConnectError's fields are readonly in its types only; connect-es writes what the error says afterwards.
  const e = reason as { code: Code; rawMessage: string; message: string };
  e.code = Code.InvalidArgument;
  e.rawMessage = `${UNDECODABLE}${e.rawMessage}`;
  e.message = `[invalid_argument] ${e.rawMessage}`;
}
