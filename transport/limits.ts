// How much a caller may send: every request message is capped AFTER
// decompression, 1 MiB unless the method's contract raises it with
// (itinera.options.v1.max_request_bytes) for bulk ingestion. connect-es
// enforces the cap before it parses (readMaxBytes): a Content-Length or an
// envelope length over it is refused before the body is read, a compressed
// body is inflated with the cap as the output limit (a gzip bomb stops at the
// cap), and the caller gets RESOURCE_EXHAUSTED. Plain HTTP routes
// (transport/http-route.ts readBody) use the same default.
import { getOption, type DescMethod } from "@bufbuild/protobuf";
import { max_request_bytes } from "../gen/itinera/options/v1/options_pb.js";

/** The cap of a request message (or a plain HTTP body) when its contract names none. */
export const DEFAULT_MAX_REQUEST_BYTES = 1024 * 1024;

/** The method's cap in bytes, after decompression. */
export function maxRequestBytes(method: DescMethod): number {
  return getOption(method, max_request_bytes) || DEFAULT_MAX_REQUEST_BYTES;
}
