// Test fixture: a tiny third-party seller on a real HTTP server (port 0)
// serving fixed answers in the sandbox API's shapes. It records every request
// and can be told to fail (500), to go down (socket destroyed), to be slow,
// or to throttle (429 + Retry-After), so adapters meet the same failures a
// real seller gives them.
import * as http from "node:http";
import type { AddressInfo } from "node:net";
import { setTimeout as sleep } from "node:timers/promises";

export interface FakeAnswer {
  status?: number;
  /** A string is sent as is; anything else as JSON. */
  body: unknown;
  headers?: Record<string, string>;
}

/** Answers one request to a path; `url` carries the query. */
export type FakeRoute = (url: URL, body: Buffer) => FakeAnswer | Promise<FakeAnswer>;

export type FakeMode =
  | { kind: "normal" }
  | { kind: "fail" }
  | { kind: "down" }
  | { kind: "slow"; delayMs: number }
  /** Takes the request and never answers: a caller that waited for it would never finish. */
  | { kind: "silent" }
  | { kind: "throttle"; retryAfterSeconds: number };

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** performance.now() when it arrived. */
  at: number;
}

export interface FakeSeller {
  readonly url: string;
  readonly requests: FakeRequest[];
  /** Requests to `path` so far. */
  count(path: string): number;
  mode: FakeMode;
  routes: Record<string, FakeRoute>;
  close(): Promise<void>;
}

export async function startFakeSeller(routes: Record<string, FakeRoute>): Promise<FakeSeller> {
  const requests: FakeRequest[] = [];
  const fake = {
    mode: { kind: "normal" } as FakeMode,
    routes,
  };
  const server = http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://fake");
    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks);
    requests.push({ method: req.method ?? "", path: url.pathname, query: url.searchParams, headers: req.headers, body, at: performance.now() });
    const mode = fake.mode;
    if (mode.kind === "down") return void req.socket.destroy();
    if (mode.kind === "silent") return;
    if (mode.kind === "slow") await sleep(mode.delayMs);
    if (mode.kind === "fail") return send(res, { status: 500, body: { error: "failing on purpose" } });
    if (mode.kind === "throttle") {
      return send(res, { status: 429, body: { error: "slow down" }, headers: { "retry-after": String(mode.retryAfterSeconds) } });
    }
    const route = fake.routes[url.pathname];
    if (!route) return send(res, { status: 404, body: { error: `no ${url.pathname}` } });
    try {
      send(res, await route(url, body));
    } catch (e) {
      send(res, { status: 500, body: { error: String(e) } });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(fake, {
    url: `http://127.0.0.1:${port}`,
    requests,
    count: (path: string) => requests.filter((r) => r.path === path).length,
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  });
}

function send(res: http.ServerResponse, answer: FakeAnswer) {
  if (res.destroyed) return;
  const text = typeof answer.body === "string" ? answer.body : JSON.stringify(answer.body);
  const type = typeof answer.body === "string" && text.startsWith("<") ? "application/xml" : "application/json";
  res.writeHead(answer.status ?? 200, { "content-type": type, ...answer.headers });
  res.end(text);
}
