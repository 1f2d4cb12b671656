// The small pieces every plain HTTP route beside the RPCs needs (webhooks, a
// payment gateway's callback): request and response types for HTTP/1.1 and
// h2c alike, the path and its segments read without throwing on any URL a
// client can send ("//", "%ZZ"), a header read, a size-capped body read, a
// JSON reply.
import type * as http from "node:http";
import type * as http2 from "node:http2";

export type Request = http.IncomingMessage | http2.Http2ServerRequest;
export type Response = http.ServerResponse | http2.Http2ServerResponse;

/**
 * The request target's path, as sent (still percent-encoded), without the
 * query. No URL parsing: `new URL("//", base)` throws, and an absolute-form
 * target ("http://host/x") must not name one of our routes.
 */
export function pathOf(req: Request): string {
  return (req.url ?? "").split("?", 1)[0] || "/";
}

/** A percent-encoded path (or segment), decoded; undefined when malformed ("%ZZ", bytes that are not UTF-8). */
export function percentDecoded(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}

/** A header's first value, trimmed; undefined when absent or blank. */
export function header(req: Request, name: string): string | undefined {
  const v = req.headers[name];
  const value = Array.isArray(v) ? v[0] : v;
  return value === undefined || value.trim() === "" ? undefined : value.trim();
}

/** The whole body, or undefined when its Content-Length says more than `max` bytes (nothing read) or once it exceeds them. */
export async function readBody(req: Request, max: number): Promise<Uint8Array | undefined> {
  if (Number(header(req, "content-length") ?? 0) > max) return undefined;
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer | string>) {
    const buf = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    size += buf.length;
    if (size > max) return undefined;
    chunks.push(buf);
  }
  return new Uint8Array(Buffer.concat(chunks));
}

/**
 * res.writeHead for HTTP/1.1 and h2c alike (Node 24's types give the two
 * response classes overloads TypeScript cannot call through their union).
 */
export function writeHead(res: Response, status: number, headers: http.OutgoingHttpHeaders): void {
  (res as http.ServerResponse).writeHead(status, headers);
}

export function replyJson(res: Response, status: number, json: unknown): void {
  const text = JSON.stringify(json);
  res.statusCode = status;
  res.setHeader("content-type", "application/json");
  res.setHeader("content-length", Buffer.byteLength(text));
  res.end(text);
}
