// Kit errors on the wire. The server side turns whatever an endpoint threw
// into a ConnectError (same numeric code; violations as an
// itinera.type.v1.BadRequest detail; retryAfterMs as the `retry-after-ms`
// metadata header), and the client side turns a ConnectError back into the
// KitError the service threw, so a caller cannot tell a remote service from a
// local one.
//
//   toConnectError(e: unknown): ConnectError        // server: thrown value → wire
//   fromConnectError(e: unknown): KitError          // client: wire → thrown value
//
// Only KitErrors carry their message to the caller, and never for Internal,
// Unknown or DataLoss: those say "internal error" (the real message stays in
// the server's logs through the error's `cause`).
import { create } from "@bufbuild/protobuf";
import { Code as ConnectCode, ConnectError } from "@connectrpc/connect";
import { Code, KitError, type FieldViolation } from "../endpoints/errors.js";
import { BadRequestSchema } from "../gen/itinera/type/v1/errors_pb.js";

/** The metadata key (response header or gRPC trailer) that carries KitError.retryAfterMs. */
export const RETRY_AFTER_MS_HEADER = "retry-after-ms";

/** What the caller reads instead of the message of an error the server did not mean to show. */
export const HIDDEN_MESSAGE = "internal error";

const HIDDEN_CODES = new Set<Code>([Code.Internal, Code.Unknown, Code.DataLoss]);

/** Any value an endpoint threw, as the ConnectError to send. */
export function toConnectError(e: unknown): ConnectError {
  const kit = e instanceof KitError ? e : serverSideKitError(e);
  const message = HIDDEN_CODES.has(kit.code) ? HIDDEN_MESSAGE : kit.message;
  const metadata = new Headers();
  if (kit.retryAfterMs !== undefined) metadata.set(RETRY_AFTER_MS_HEADER, String(Math.max(0, Math.ceil(kit.retryAfterMs))));
  const details =
    kit.violations.length === 0
      ? []
      : [{ desc: BadRequestSchema, value: create(BadRequestSchema, { fieldViolations: kit.violations.map((v) => ({ ...v })) }) }];
  return new ConnectError(message, kit.code as number as ConnectCode, metadata, details, e);
}

/**
 * What the server makes of a value that is not a KitError: a ConnectError
 * raised inside the handler (the handler context's signal aborts with one on
 * deadline or cancel) keeps its code; an AbortError is Canceled; anything else
 * is Internal.
 */
function serverSideKitError(e: unknown): KitError {
  if (e instanceof ConnectError) return new KitError(e.code as number as Code, e.rawMessage, { cause: e });
  if (e instanceof Error && e.name === "AbortError") {
    // Aborted by the handler context's signal: its reason says why (deadline, shutdown, cancel).
    if (e.cause instanceof ConnectError) return serverSideKitError(e.cause);
    return new KitError(Code.Canceled, "the call was canceled", { cause: e });
  }
  if (e instanceof Error && e.name === "TimeoutError") return new KitError(Code.DeadlineExceeded, "the deadline passed", { cause: e });
  return new KitError(Code.Internal, e instanceof Error ? e.message : String(e), { cause: e });
}

/** A failed remote call as the KitError the remote service threw (or the transport failure it was). */
export function fromConnectError(e: unknown): KitError {
  if (e instanceof KitError) return e;
  const err = ConnectError.from(e);
  const violations: FieldViolation[] = err
    .findDetails(BadRequestSchema)
    .flatMap((d) => d.fieldViolations.map(({ field, description, rule }) => ({ field, description, rule })));
  const retryAfter = Number(err.metadata.get(RETRY_AFTER_MS_HEADER) ?? NaN);
  return new KitError(resetCode(err) ?? (err.code as number as Code), err.rawMessage, {
    violations,
    ...(Number.isFinite(retryAfter) && retryAfter >= 0 ? { retryAfterMs: retryAfter } : {}),
    cause: e,
  });
}

/**
 * The code gRPC gives an HTTP/2 stream the server reset, where connect-node
 * says INTERNAL for every reset it does not know: ENHANCE_YOUR_CALM (a server
 * over its limits refusing new calls) is RESOURCE_EXHAUSTED, REFUSED_STREAM
 * UNAVAILABLE — so that an overloaded peer reads as one, and never as our bug.
 */
function resetCode(err: ConnectError): Code | undefined {
  if (err.code !== ConnectCode.Internal) return undefined;
  for (let e: unknown = err.cause; e instanceof Error; e = e.cause) {
    if ((e as NodeJS.ErrnoException).code !== "ERR_HTTP2_STREAM_ERROR") continue;
    if (e.message.includes("NGHTTP2_ENHANCE_YOUR_CALM")) return Code.ResourceExhausted;
    if (e.message.includes("NGHTTP2_REFUSED_STREAM")) return Code.Unavailable;
  }
  return undefined;
}
