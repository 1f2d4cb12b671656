// Plain node:http plumbing shared by the sandbox sellers: replies, query
// parameters that answer 400 when wrong, request bodies, and a listening
// server that closes every connection when asked.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { dayNumber } from "./calendar.js";

export interface Reply {
  status: number;
  contentType: string;
  body: string | Uint8Array;
  headers?: Record<string, string>;
}

export interface SandboxRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  raw: IncomingMessage;
}

export type Handler = (req: SandboxRequest) => Reply | Promise<Reply>;

export interface RunningServer {
  /** "http://127.0.0.1:<port>" */
  url: string;
  port: number;
  close(): Promise<void>;
}

/** A failure the handler wants answered with this status and message. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

export function jsonReply(value: unknown, status = 200): Reply {
  return { status, contentType: "application/json", body: JSON.stringify(value) };
}

export function xmlReply(body: string, status = 200): Reply {
  return { status, contentType: "application/xml; charset=utf-8", body };
}

export function send(res: ServerResponse, reply: Reply): void {
  res.writeHead(reply.status, {
    "content-type": reply.contentType,
    "content-length": Buffer.byteLength(reply.body),
    ...reply.headers,
  });
  res.end(reply.body);
}

/**
 * `reply` under its validator `etag` (quoted, strong), or 304 Not Modified
 * with no body when the request's If-None-Match already names it.
 */
export function conditional(req: IncomingMessage, etag: string, reply: () => Reply): Reply {
  const headers = { etag };
  const known = (req.headers["if-none-match"] ?? "").split(",").map((t) => t.trim().replace(/^W\//, ""));
  if (known.includes(etag) || known.includes("*")) return { status: 304, contentType: "text/plain", body: "", headers };
  const r = reply();
  return { ...r, headers: { ...r.headers, ...headers } };
}

/** "http://<host>" of the request, as its client named this server; 400 without a plain Host header. */
export function originOf(req: IncomingMessage): string {
  const host = req.headers.host ?? "";
  if (!/^([\w.-]+|\[[0-9a-fA-F:.]+\])(:\d{1,5})?$/.test(host)) throw new HttpError(400, "a Host header naming this server is required");
  return `http://${host}`;
}

/** A required query parameter. */
export function param(q: URLSearchParams, name: string): string {
  const v = q.get(name);
  if (v === null || v.trim() === "") throw new HttpError(400, `query parameter "${name}" is required`);
  return v.trim();
}

/** A day number from a "YYYY-MM-DD" parameter; `fallback` when absent (required when no fallback). */
export function dateParam(q: URLSearchParams, name: string, fallback?: number): number {
  const raw = q.get(name);
  if ((raw === null || raw === "") && fallback !== undefined) return fallback;
  const day = dayNumber(param(q, name));
  if (day === undefined) throw new HttpError(400, `query parameter "${name}" must be a date YYYY-MM-DD`);
  return day;
}

/** An integer parameter in [min, max], `fallback` when absent. */
export function intParam(q: URLSearchParams, name: string, fallback: number, min: number, max: number): number {
  const raw = q.get(name);
  if (raw === null || raw === "") return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new HttpError(400, `query parameter "${name}" must be an integer from ${min} to ${max}`);
  }
  return n;
}

/** The request body as text, at most `limit` bytes. */
export async function readBody(req: IncomingMessage, limit = 65_536): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limit) throw new HttpError(413, `request body over ${limit} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A JSON object from a request body; 400 when it is not one. */
export function jsonObject(body: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(body);
  } catch {
    throw new HttpError(400, "body must be JSON");
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) throw new HttpError(400, "body must be a JSON object");
  return value as Record<string, unknown>;
}

const HTML_ENTITIES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Text or an attribute value for an HTML page. */
export function escapeHtml(value: string | number): string {
  return String(value).replace(/[&<>"']/g, (c) => HTML_ENTITIES[c]!);
}

/** "123.45" of 12345 minor units. */
export function decimal(minor: number): string {
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(minor);
  return `${sign}${Math.floor(abs / 100)}.${String(abs % 100).padStart(2, "0")}`;
}

/** Serves `listener` on host:port (0 = any free port) until close(). */
export function listen(
  listener: (req: IncomingMessage, res: ServerResponse) => void,
  port: number,
  host: string,
  onClose: () => void = () => {},
): Promise<RunningServer> {
  const server: Server = createServer(listener);
  server.keepAliveTimeout = 5_000;
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      server.off("error", reject);
      const actual = (server.address() as AddressInfo).port;
      resolve({
        url: `http://${host.includes(":") ? `[${host}]` : host}:${actual}`,
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            onClose();
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}

/** One route of a sandbox server. */
export interface Api {
  method: "GET" | "POST";
  path: string;
  /** Counted as a search and subject to the token bucket (price and fare calls). */
  priced?: boolean;
  handle: Handler;
}
