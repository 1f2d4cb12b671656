// The client half of the unary gRPC fast path: a unary call written straight
// onto the peer's HTTP/2 connection (one length-prefixed message out, one in),
// without connect-node's per-call machinery (linked AbortControllers, a
// sentinel ConnectError, async generators). On this machine connect's client
// spent about four times the CPU of the call itself (make bench-transport
// prints the client's CPU per call).
//
//   const sessions = new Http2SessionManager(baseUrl);
//   const transport = withUnaryFastPath(sessions, baseUrl, createGrpcTransport({ baseUrl, sessionManager: sessions, ... }));
//
// Streams go to the connect transport given, on the same connection. What the
// caller gets is what connect's gRPC client gives, judged by connect's own
// helpers: validateResponse (HTTP status, content type, trailers-only
// errors), validateTrailer and findTrailerError (code, message, details,
// metadata such as retry-after-ms); the deadline aborts with
// DEADLINE_EXCEEDED ("the operation timed out") and resets the stream with
// CANCEL, as does the caller's signal (CANCELED, or the signal's ConnectError);
// Node's errors and stream resets get connect-node's codes (a refused
// connection is UNAVAILABLE, a reset connection ABORTED). Requests are never
// compressed and ask for uncompressed answers, as transport/client.ts wants.
import type * as http2 from "node:http2";
import { constants as h2 } from "node:http2";
import { create, fromBinary, toBinary, type DescMethodUnary } from "@bufbuild/protobuf";
import { Code, ConnectError, type Transport, type UnaryResponse } from "@connectrpc/connect";
import { findTrailerError, validateResponse, validateTrailer } from "@connectrpc/connect/protocol-grpc";
import type { Http2SessionManager } from "@connectrpc/connect-node";

const PREFIX_BYTES = 5;
const COMPRESSED_FLAG = 0b1;

/** `streaming` with its unary calls made by the fast client, on `sessions` (the connection `streaming` uses too). */
export function withUnaryFastPath(sessions: Http2SessionManager, baseUrl: string, streaming: Transport): Transport {
  const prefix = new URL(baseUrl).pathname.replace(/\/$/, "");
  return {
    unary: ((method: DescMethodUnary, signal: AbortSignal | undefined, timeoutMs: number | undefined, header: HeadersInit | undefined, input: unknown) =>
      unaryCall(sessions, `${prefix}/${method.parent.typeName}/${method.name}`, method, signal, timeoutMs, header, input)) as Transport["unary"],
    stream: (...args) => streaming.stream(...args),
  };
}

function unaryCall(
  sessions: Http2SessionManager,
  path: string,
  method: DescMethodUnary,
  signal: AbortSignal | undefined,
  timeoutMs: number | undefined,
  header: HeadersInit | undefined,
  input: unknown,
): Promise<UnaryResponse> {
  return new Promise<UnaryResponse>((resolve, reject) => {
    let stream: http2.ClientHttp2Stream | undefined;
    let timer: NodeJS.Timeout | undefined;
    let settled = false;
    const settle = (error: ConnectError | undefined, response?: UnaryResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      signal?.removeEventListener("abort", onAbort);
      if (error === undefined) return resolve(response!);
      if (stream && !stream.closed) {
        // gRPC's mapping: a call given up is CANCEL; Node would say INTERNAL_ERROR.
        stream.close(error.code === Code.Canceled || error.code === Code.DeadlineExceeded ? h2.NGHTTP2_CANCEL : h2.NGHTTP2_INTERNAL_ERROR);
      }
      reject(error);
    };
    const onAbort = () => settle(ConnectError.from(signal!.reason, Code.Canceled));
    if (signal?.aborted) return onAbort();
    signal?.addEventListener("abort", onAbort);
    if (timeoutMs !== undefined && timeoutMs > 0) {
      timer = setTimeout(() => settle(new ConnectError("the operation timed out", Code.DeadlineExceeded)), timeoutMs);
    }

    let frame: Buffer;
    try {
      const message = toBinary(method.input, create(method.input, input as never));
      frame = Buffer.allocUnsafe(PREFIX_BYTES + message.length);
      frame[0] = 0;
      frame.writeUInt32BE(message.length, 1);
      frame.set(message, PREFIX_BYTES);
    } catch (e) {
      return settle(ConnectError.from(e, Code.Internal));
    }
    sessions.request("POST", path, requestHeaders(header, timeoutMs), {}).then(
      (opened) => {
        stream = opened;
        if (settled) {
          opened.close(h2.NGHTTP2_CANCEL);
          return;
        }
        readAnswer(opened, sessions, method, settle);
        opened.end(frame);
      },
      (e: unknown) => settle(fromNodeReason(e)),
    );
  });
}

function requestHeaders(header: HeadersInit | undefined, timeoutMs: number | undefined): http2.OutgoingHttpHeaders {
  const out: http2.OutgoingHttpHeaders = {};
  if (header !== undefined) (header instanceof Headers ? header : new Headers(header)).forEach((value, name) => (out[name] = value));
  out["content-type"] = "application/grpc+proto";
  out.te = "trailers";
  if (timeoutMs !== undefined && timeoutMs > 0) out["grpc-timeout"] = `${timeoutMs}m`;
  return out;
}

/** Reads the answer of `stream` and settles the call with it once the stream is closed. */
function readAnswer(
  stream: http2.ClientHttp2Stream,
  sessions: Http2SessionManager,
  method: DescMethodUnary,
  settle: (error: ConnectError | undefined, response?: UnaryResponse) => void,
): void {
  let status = 0;
  let headers: http2.IncomingHttpHeaders | undefined;
  let trailers: http2.IncomingHttpHeaders | undefined;
  let failure: ConnectError | undefined;
  const chunks: Buffer[] = [];
  stream.once("response", (h) => {
    headers = h;
    status = Number(h[":status"]);
  });
  stream.on("data", (chunk: Buffer) => {
    chunks.push(chunk);
    sessions.notifyResponseByteRead(stream);
  });
  stream.once("trailers", (t) => (trailers = t));
  stream.on("error", (e: NodeJS.ErrnoException) => {
    // A reset by the server: its code (read at close) says why, as gRPC maps it —
    // ENHANCE_YOUR_CALM (an overloaded server refusing) is RESOURCE_EXHAUSTED, not INTERNAL.
    if (e.code !== "ERR_HTTP2_STREAM_ERROR" || !RESET_CODES.has(stream.rstCode)) failure ??= fromNodeReason(e);
  });
  stream.once("close", () => {
    if (headers === undefined) return settle(failure ?? fromResetCode(stream.rstCode, "before the response was received"));
    try {
      settle(undefined, answerOf(method, status, webHeaders(headers), chunks, trailers && webHeaders(trailers), failure ?? fromResetCode(stream.rstCode)));
    } catch (e) {
      settle(ConnectError.from(e, Code.Internal));
    }
  });
}

/** The response, or throws its error, as connect's gRPC client judges it. */
function answerOf(
  method: DescMethodUnary,
  status: number,
  header: Headers,
  chunks: Buffer[],
  trailer: Headers | undefined,
  cutOff: ConnectError | undefined,
): UnaryResponse {
  const { headerError } = validateResponse(status, header);
  if (header.has("grpc-encoding") && header.get("grpc-encoding")!.toLowerCase() !== "identity") {
    throw new ConnectError(`unsupported response encoding "${header.get("grpc-encoding")}"`, Code.Internal, header);
  }
  if (trailer === undefined) {
    // Trailers-only (the status in the headers), or cut off before the trailers.
    if (headerError) throw headerError;
    throw cutOff ?? new ConnectError("protocol error: missing status", Code.Internal);
  }
  const body = chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks);
  let message: unknown;
  if (body.length > 0) {
    if (body.length < PREFIX_BYTES) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    const length = body.readUInt32BE(1);
    if (body.length < PREFIX_BYTES + length) throw new ConnectError("protocol error: incomplete envelope", Code.InvalidArgument);
    if (body.length > PREFIX_BYTES + length) {
      throw new ConnectError("protocol error: received extra output message for unary method", Code.Unimplemented);
    }
    if ((body[0]! & COMPRESSED_FLAG) !== 0) {
      throw new ConnectError("received compressed envelope, but do not know how to decompress", Code.Internal);
    }
    try {
      message = fromBinary(method.output, body.subarray(PREFIX_BYTES));
    } catch (e) {
      throw new ConnectError(`parse binary: ${e instanceof Error ? e.message : String(e)}`, Code.Internal);
    }
  }
  validateTrailer(trailer, header);
  if (message === undefined) {
    if (headerError) throw headerError;
    throw new ConnectError("protocol error: missing output message for unary method", trailer.has("grpc-status") ? Code.Unimplemented : Code.Unknown);
  }
  if (headerError) throw new ConnectError("protocol error: received output message for unary method with error status", Code.Unknown);
  return { stream: false, service: method.parent, method, header, message, trailer } as UnaryResponse;
}

function webHeaders(node: http2.IncomingHttpHeaders): Headers {
  const out = new Headers();
  for (const name in node) {
    const value = node[name];
    if (name.startsWith(":") || value === undefined) continue;
    if (Array.isArray(value)) for (const v of value) out.append(name, v);
    else out.set(name, String(value));
  }
  return out;
}

/** connect-node's code for a Node.js error: a connection that failed is UNAVAILABLE, one that was reset ABORTED. */
function fromNodeReason(reason: unknown): ConnectError {
  if (reason instanceof ConnectError) return reason;
  const codes = new Set<string>();
  for (let e: unknown = reason, depth = 0; e instanceof Error && depth < 10; e = e.cause, depth++) {
    if ("code" in e && typeof e.code === "string") codes.add(e.code);
  }
  let code = Code.Internal;
  if (["ERR_STREAM_WRITE_AFTER_END", "ERR_STREAM_DESTROYED", "ERR_HTTP2_INVALID_STREAM", "ECONNRESET"].some((c) => codes.has(c))) code = Code.Aborted;
  else if (["ETIMEDOUT", "ENOTFOUND", "EAI_AGAIN", "ECONNREFUSED"].some((c) => codes.has(c))) code = Code.Unavailable;
  const error = ConnectError.from(reason, code);
  if (error !== reason) error.cause = reason;
  return error;
}

/** The code for an HTTP/2 reset (gRPC's mapping, as connect-node's for the codes it knows); undefined for NO_ERROR unless `when` says the reset cut the call off. */
function fromResetCode(rstCode: number | undefined, when?: string): ConnectError | undefined {
  const code = RESET_CODES.get(rstCode ?? h2.NGHTTP2_NO_ERROR);
  const described = `http/2 stream closed with error code ${H2_CODE_NAMES[rstCode ?? 0] ?? "UNKNOWN"} (0x${(rstCode ?? 0).toString(16)})${when ? ` ${when}` : ""}`;
  if (code !== undefined) return new ConnectError(described, code);
  return when ? new ConnectError(described, Code.Internal) : undefined;
}

/** RFC 9113 §7's names, as connect-node writes them: the balancer reads REFUSED_STREAM (transport/balancer.ts). */
const H2_CODE_NAMES = [
  "NO_ERROR",
  "PROTOCOL_ERROR",
  "INTERNAL_ERROR",
  "FLOW_CONTROL_ERROR",
  "SETTINGS_TIMEOUT",
  "STREAM_CLOSED",
  "FRAME_SIZE_ERROR",
  "REFUSED_STREAM",
  "CANCEL",
  "COMPRESSION_ERROR",
  "CONNECT_ERROR",
  "ENHANCE_YOUR_CALM",
  "INADEQUATE_SECURITY",
  "HTTP_1_1_REQUIRED",
];

const RESET_CODES = new Map<number, Code>([
  [h2.NGHTTP2_PROTOCOL_ERROR, Code.Internal],
  [h2.NGHTTP2_INTERNAL_ERROR, Code.Internal],
  [h2.NGHTTP2_FLOW_CONTROL_ERROR, Code.Internal],
  [h2.NGHTTP2_SETTINGS_TIMEOUT, Code.Internal],
  [h2.NGHTTP2_FRAME_SIZE_ERROR, Code.Internal],
  [h2.NGHTTP2_COMPRESSION_ERROR, Code.Internal],
  [h2.NGHTTP2_CONNECT_ERROR, Code.Internal],
  [h2.NGHTTP2_REFUSED_STREAM, Code.Unavailable],
  [h2.NGHTTP2_CANCEL, Code.Canceled],
  [h2.NGHTTP2_ENHANCE_YOUR_CALM, Code.ResourceExhausted],
  [h2.NGHTTP2_INADEQUATE_SECURITY, Code.PermissionDenied],
  [h2.NGHTTP2_HTTP_1_1_REQUIRED, Code.PermissionDenied],
]);
