// What a hostile caller gets from a server, on every protocol: a body over the
// cap (declared, streamed, or inflated from gzip) is RESOURCE_EXHAUSTED before
// it is parsed; bytes that do not decode, and invalid UTF-8 in JSON, are
// INVALID_ARGUMENT (connect-es alone says INTERNAL for the binary ones:
// transport/decode-errors.ts); a plain HTTP route that throws answers 500 and
// the server keeps serving; "//" and "%ZZ" never throw. Over both serving
// paths (echo.fixture.ts SERVING_PATHS).
import * as http2 from "node:http2";
import { gzipSync } from "node:zlib";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { SERVING_PATHS, servedBy, silentLog, startEchoServer } from "./echo.fixture.js";
import type { RunningServer } from "./server.js";
import { webhookRoute } from "./webhook.js";
import { frame, rawGrpc } from "./h2-grpc.fixture.js";
import { DEFAULT_MAX_REQUEST_BYTES, maxRequestBytes } from "./limits.js";
import { CatalogService } from "../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../gen/itinera/pricing/v1/pricing_pb.js";

const ECHO = "/itinera.echo.v1.EchoService/Echo";
/** field 1 (message) says 5 bytes follow, 1 does: protobuf cannot decode it. */
const TRUNCATED = Uint8Array.from([0x0a, 0x05, 0x61]);

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let server: RunningServer;
  let session: http2.ClientHttp2Session;

  tests.before(async () => {
    const webhook = webhookRoute({
      prefix: "/webhooks/",
      endpoint: async () => ({}),
      decode: () => ({}),
      encode: () => ({}),
      log: silentLog,
    });
    server = await startEchoServer({
      unaryFastPath,
      http: (req, res) => {
        if (req.url === "/throws") throw new Error("a bug in a route");
        return webhook(req, res);
      },
    });
    session = http2.connect(server.url);
  });
  tests.after(async () => {
    session.close();
    await server.close(5_000);
  });

  async function connectUnary(body: Uint8Array, headers: Record<string, string>) {
    const res = await fetch(server.url + ECHO, { method: "POST", headers, body: Buffer.from(body) });
    const json = (await res.json()) as { code: string; message: string };
    return { status: res.status, code: json.code, message: json.message };
  }

  /** A gRPC call over h2c to Echo: the grpc-status and grpc-message it got. */
  const grpc = (body: Uint8Array, headers: Record<string, string> = {}) => rawGrpc(session, ECHO, body, headers);

  tests("Connect: an undecodable binary body is INVALID_ARGUMENT, not INTERNAL", async () => {
    const r = await connectUnary(TRUNCATED, { "content-type": "application/proto" });
    assert.equal([r.status, r.code], [400, "invalid_argument"]);
    assert.match(r.message, /could not be decoded/);
  });

  tests("Connect: invalid UTF-8 in JSON, or JSON that is not JSON, is INVALID_ARGUMENT", async () => {
    const invalidUtf8 = Uint8Array.from([...Buffer.from('{"message":"'), 0xff, 0xfe, ...Buffer.from('"}')]);
    for (const body of [invalidUtf8, Buffer.from('{"message": '), Buffer.from("[".repeat(100_000))]) {
      const r = await connectUnary(body, { "content-type": "application/json" });
      assert.equal([r.status, r.code], [400, "invalid_argument"], r.message);
    }
  });

  tests("Connect GET: a message that is not base64 is INVALID_ARGUMENT; so is an RPC without a usable Host", async () => {
    const get = await fetch(`${server.url}${ECHO}?connect=v1&encoding=proto&base64=1&message=%25ZZ`);
    assert.is(get.status, 400);
    assert.is(((await get.json()) as { code: string }).code, "invalid_argument");
    const body = '{"message":"x"}';
    for (const host of ["", "Host: a b\r\n"]) {
      const answer = await rawHttp1(server.port, `POST ${ECHO} HTTP/1.0\r\n${host}Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body}`);
      assert.match(answer, /^HTTP\/1\.[01] 400 /, JSON.stringify(host));
    }
  });

  tests("gRPC and gRPC-Web: undecodable frames are INVALID_ARGUMENT (3)", async () => {
    const unary = (body: Uint8Array) => servedBy(server, unaryFastPath, () => grpc(body));
    const truncated = await unary(frame(TRUNCATED));
    assert.is(truncated.status, "3");
    assert.match(truncated.message, /^the request could not be decoded: parse binary: /);
    // The compressed flag without a grpc-encoding.
    assert.is((await unary(frame(Uint8Array.from([0x0a, 0x00]), 1))).status, "3");
    // A bidi stream (reflection) decodes while it runs: the same.
    const reflection = "/grpc.reflection.v1.ServerReflection/ServerReflectionInfo";
    assert.is((await servedBy(server, false, () => grpc(frame(TRUNCATED), { ":path": reflection }))).status, "3");
    // An incomplete frame: the prefix promises 10 bytes, 2 arrive.
    assert.is((await unary(frame(Uint8Array.from([0x0a, 0x00]), 0, 10))).status, "3");
    // No message at all, and two messages, for a unary method.
    const empty = await unary(new Uint8Array(0));
    assert.equal([empty.status, empty.message], ["3", "the request could not be decoded: protocol error: missing input message for unary method"]);
    const one = frame(Uint8Array.from([0x0a, 0x01, 0x61]));
    assert.is((await unary(Uint8Array.from([...one, ...one]))).status, "3");
    const web = await fetch(server.url + ECHO, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: Buffer.from(frame(TRUNCATED)),
    });
    const text = Buffer.from(await web.arrayBuffer()).toString("latin1");
    assert.match(web.headers.get("grpc-status") ?? text, /grpc-status:\s*3|^3$/);
  });

  tests("a body over the cap is RESOURCE_EXHAUSTED before it is read, parsed or inflated", async () => {
    const big = new Uint8Array(DEFAULT_MAX_REQUEST_BYTES + 1);
    const declared = await connectUnary(big, { "content-type": "application/proto" });
    assert.equal([declared.status, declared.code], [429, "resource_exhausted"]);
    // 32 MiB of zeros is a 32 KiB gzip body: inflating stops at the cap.
    const bomb = gzipSync(new Uint8Array(32 * 1024 * 1024));
    assert.ok(bomb.length < 64 * 1024);
    const inflated = await connectUnary(bomb, { "content-type": "application/proto", "content-encoding": "gzip" });
    assert.equal([inflated.status, inflated.code], [429, "resource_exhausted"]);
    // gRPC: a frame whose prefix announces 2 GiB, and a gzip bomb frame.
    assert.is((await servedBy(server, unaryFastPath, () => grpc(frame(new Uint8Array(0), 0, 0x7fffffff)))).status, "8");
    // Compressed requests are connect-node's on either path.
    assert.is((await servedBy(server, false, () => grpc(frame(bomb, 1), { "grpc-encoding": "gzip" }))).status, "8");
    // The cap is the method's: a message of exactly 1 MiB is read (field 1: a tag, a 3-byte length, 1 MiB - 4 bytes of "a").
    const exact = new Uint8Array(DEFAULT_MAX_REQUEST_BYTES).fill(0x61);
    exact.set([0x0a, 0xfc, 0xff, 0x3f]);
    assert.is((await servedBy(server, unaryFastPath, () => grpc(frame(exact)))).status, "0");
    const over = new Uint8Array(DEFAULT_MAX_REQUEST_BYTES + 1);
    over.set(exact);
    assert.is((await servedBy(server, unaryFastPath, () => grpc(frame(over)))).status, "8");
    // A plain HTTP route: 1 MiB by default too.
    const webhook = await fetch(server.url + "/webhooks/seller", { method: "POST", body: Buffer.from(big) });
    assert.is(webhook.status, 413);
    // The server still answers.
    const ok = await fetch(server.url + ECHO, { method: "POST", headers: { "content-type": "application/json" }, body: '{"message":"hi"}' });
    assert.equal(await ok.json(), { message: "hi" });
  });

  tests("a route that throws answers 500 and the server keeps serving; // and %ZZ answer 4xx", async () => {
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

  tests.run();
}

test("the contracts raise the cap for bulk ingestion only", () => {
  const MiB = 1024 * 1024;
  assert.is(maxRequestBytes(CatalogService.method.upsertHotels), 4 * MiB);
  assert.is(maxRequestBytes(CatalogService.method.upsertFlights), 4 * MiB);
  assert.is(maxRequestBytes(PricingService.method.ingestHotelRates), 4 * MiB);
  assert.is(maxRequestBytes(CatalogService.method.searchHotels), MiB);
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
