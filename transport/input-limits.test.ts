// What a hostile caller gets from a server, on every protocol: a body over the
// cap (declared, streamed, or inflated from gzip) is RESOURCE_EXHAUSTED before
// it is parsed; bytes that do not decode, and invalid UTF-8 in JSON, are
// INVALID_ARGUMENT (connect-es alone says INTERNAL for the binary ones:
// transport/decode-errors.ts); a plain HTTP route that throws answers 500 and
// the server keeps serving; "//" and "%ZZ" never throw.
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";
import { webhookRoute } from "./webhook.js";
import { silentLog } from "./echo.fixture.js";
import { DEFAULT_MAX_REQUEST_BYTES, maxRequestBytes } from "./limits.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";

let server: RunningServer;
let session: http2.ClientHttp2Session;
const ECHO = "/itinera.echo.v1.EchoService/Echo";

test.before(async () => {
  const webhook = webhookRoute({
    prefix: "/webhooks/",
    endpoint: async () => ({}),
    decode: () => ({}),
    encode: () => ({}),
    log: silentLog,
  });
  server = await startEchoServer({
    http: (req, res) => {
      if (req.url === "/throws") throw new Error("a bug in a route");
      return webhook(req, res);
    },
  });
  session = http2.connect(server.url);
});
test.after(async () => {
  session.close();
  await server.close(5_000);
});

/** field 1 (message) says 5 bytes follow, 1 does: protobuf cannot decode it. */
const TRUNCATED = Uint8Array.from([0x0a, 0x05, 0x61]);

function frame(payload: Uint8Array, flags = 0, length = payload.length): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  new DataView(out.buffer).setUint32(1, length);
  out[0] = flags;
  out.set(payload, 5);
  return out;
}

async function connectUnary(body: Uint8Array, headers: Record<string, string>) {
  const res = await fetch(server.url + ECHO, { method: "POST", headers, body: Buffer.from(body) });
  const json = (await res.json()) as { code: string; message: string };
  return { status: res.status, code: json.code, message: json.message };
}

/** A gRPC call over h2c: the grpc-status of its trailers (or trailers-only headers). */
function grpc(body: Uint8Array, headers: Record<string, string> = {}): Promise<{ status: string; message: string }> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": ECHO,
      "content-type": "application/grpc+proto",
      te: "trailers",
      ...headers,
    });
    let found: { status: string; message: string } | undefined;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) found = { status: String(h["grpc-status"]), message: decodeURIComponent(String(h["grpc-message"] ?? "")) };
    };
    stream.on("response", take);
    stream.on("trailers", take);
    stream.on("data", () => {});
    stream.on("end", () => (found ? resolve(found) : reject(new Error("no grpc-status"))));
    stream.on("error", reject);
    stream.end(body);
  });
}

test("Connect: an undecodable binary body is INVALID_ARGUMENT, not INTERNAL", async () => {
  const r = await connectUnary(TRUNCATED, { "content-type": "application/proto" });
  assert.equal([r.status, r.code], [400, "invalid_argument"]);
  assert.match(r.message, /could not be decoded/);
});

test("Connect: invalid UTF-8 in JSON, or JSON that is not JSON, is INVALID_ARGUMENT", async () => {
  const invalidUtf8 = Uint8Array.from([...Buffer.from('{"message":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
  for (const body of [invalidUtf8, Buffer.from('{"message": '), Buffer.from("[".repeat(100_000))]) {
    const r = await connectUnary(body, { "content-type": "application/json" });
    assert.equal([r.status, r.code], [400, "invalid_argument"], r.message);
  }
});

test("Connect GET: a message that is not base64 is INVALID_ARGUMENT; so is an RPC without a usable Host", async () => {
  const get = await fetch(`${server.url}${ECHO}?connect=v1&encoding=proto&base64=1&message=%25ZZ`);
  assert.is(get.status, 400);
  assert.is(((await get.json()) as { code: string }).code, "invalid_argument");
  const body = '{"message":"x"}';
  for (const host of ["", "Host: a b\r\n"]) {
    const answer = await rawHttp1(server.port, `POST ${ECHO} HTTP/1.0\r\n${host}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
    assert.match(answer, /^HTTP\/1\.[01] 400 /, JSON.stringify(host));
  }
});

test("gRPC and gRPC-Web: undecodable frames are INVALID_ARGUMENT (3)", async () => {
  assert.is((await grpc(frame(TRUNCATED))).status, "3");
  // The compressed flag without a grpc-encoding.
  assert.is((await grpc(frame(Uint8Array.from([0x0a, 0x00]), 1))).status, "3");
  // A bidi stream (reflection) decodes while it runs: the same.
  const reflection = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
  assert.is((await grpc(frame(TRUNCATED), { ":path": reflection })).status, "3");
  // An incomplete frame: the prefix promises 10 bytes, 2 arrive.
  assert.is((await grpc(frame(Uint8Array.from([0x0a, 0x00]), 0, 10))).status, "3");
  const web = await fetch(server.url + ECHO, {
    method: "POST",
    headers: { "content-type": "application/grpc-web+proto" },
    body: Buffer.from(frame(TRUNCATED)),
  });
  const text = Buffer.from(await web.arrayBuffer()).toString("latin1");
  assert.match(web.headers.get("grpc-status") ?? text, /grpc-status:\s*3|^3$/);
});

test("a body over the cap is RESOURCE_EXHAUSTED before it is read, parsed or inflated", async () => {
  const big = new Uint8Array(DEFAULT_MAX_REQUEST_BYTES + 1);
  const declared = await connectUnary(big, { "content-type": "application/proto" });
  assert.equal([declared.status, declared.code], [429, "resource_exhausted"]);
  // 32 MiB of zeros is a 32 KiB gzip body: inflating stops at the cap.
  const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024));
  assert.ok(bomb.length < 64 * 1024);
  const inflated = await connectUnary(bomb, { "content-type": "application/proto", "content-encoding": "gzip" });
  assert.equal([inflated.status, inflated.code], [429, "resource_exhausted"]);
  // gRPC: a frame whose prefix announces 2 GiB, and a gzip bomb frame.
  assert.is((await grpc(frame(new Uint8Array(0), 0, 0x7fffffff))).status, "8");
  assert.is((await grpc(frame(bomb, 1), { "grpc-encoding": "gzip" })).status, "8");
  // A plain HTTP route: 1 MiB by default too.
  const webhook = await fetch(server.url + "/webhooks/seller", { method: "POST", body: Buffer.from(big) });
  assert.is(webhook.status, 413);
  // The server still answers.
  const ok = await fetch(server.url + ECHO, { method: "POST", headers: { "content-type": "application/json" }, body: '{"message":"hi"}' });
  assert.equal(await ok.json(), { message: "hi" });
});

test("the contracts raise the cap for bulk ingestion only", () => {
  const MiB = 1024 * 1024;
  assert.is(maxRequestBytes(CatalogService.method.upsertHotels), 4 * MiB);
  assert.is(maxRequestBytes(CatalogService.method.upsertFlights), 4 * MiB);
  assert.is(maxRequestBytes(PricingService.method.ingestHotelRates), 4 * MiB);
  assert.is(maxRequestBytes(CatalogService.method.searchHotels), MiB);
});

test("a route that throws answers 500 and the server keeps serving; // and %ZZ answer 4xx", async () => {
  const thrown = await fetch(server.url + "/throws");
  assert.is(thrown.status, 500);
  assert.is(await thrown.text(), "internal error\n");
  const malformed = await fetch(server.url + "/webhooks/%ZZ", { method: "POST", body: "{}" });
  assert.is(malformed.status, 400);
  assert.is(((await malformed.json()) as { code: string }).code, "INVALID_ARGUMENT");
  const slashes = await rawHttp1(server.port, "GET // HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert.match(slashes, /^HTTP\/1\.1 4\d\d /);
  assert.is((await fetch(server.url + "/healthz")).status, 200);
});

async function rawHttp1(port: number, request: string): Promise<string> {
  const net = await import("node:net");
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, "127.0.0.1", () => socket.end(request));
    let out = "";
    socket.on("data", (d) => (out += d.toString("latin1")));
    socket.on("close", () => resolve(out));
    socket.on("error", reject);
  });
}

test.run();
