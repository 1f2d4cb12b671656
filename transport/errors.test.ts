// Kit errors cross the wire intact: code, message, violations (as an
// itinera.type.v1.BadRequest detail) and retry-after, for Connect clients,
// clientOf over every protocol, and a plain grpc-js client; errors a service
// did not mean to show say only "internal error". Over both serving paths
// (echo.fixture.ts SERVING_PATHS).
import * as http2 from "node:http2";
import type { AddressInfo } from "node:net";
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { fromBinary } from "@bufbuild/protobuf";
import { Code as ConnectCode, ConnectError, createClient } from "@connectrpc/connect";
import type { ServiceError } from "@grpc/grpc-js";
import { backgroundContext } from "../endpoints/context.js";
import { kitRejection, rejection } from "../endpoints/testing.js";
import { Code, internal, invalidArgument, KitError, resourceExhausted } from "../endpoints/errors.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { BadRequestSchema } from "../gen/itinera/type/v1/errors_pb.js";
import { clientOf, connectTransport, grpcTransport, grpcWebTransport } from "./client.js";
import { echoImpl, SERVING_PATHS, servedBy, silentLog, startEchoServer } from "./echo.fixture.js";
import { fromConnectError, HIDDEN_MESSAGE, toConnectError } from "./errors.js";
import { grpcJsClient, grpcStatus } from "./grpc-js.fixture.js";
import type { RunningServer } from "./server.js";

const violations = [
  { field: "message", description: "message must not be empty", rule: "required" },
  { field: "message", description: "message must be at most 10 characters", rule: "max_len" },
];

for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let server: RunningServer;

  tests.before(async () => {
    server = await startEchoServer({
      unaryFastPath,
      impl: {
        ...echoImpl(),
        async echo(_ctx, req) {
          if (req.message === "invalid") throw invalidArgument("the request is invalid", violations);
          if (req.message === "busy") throw resourceExhausted("too many requests", 1500);
          if (req.message === "bug") throw new Error("password=hunter2 in the connection string");
          if (req.message === "internal") throw internal("the ledger table is corrupt");
          return { message: req.message };
        },
      },
    });
  });
  tests.after(async () => {
    await server.close(5_000);
  });

  tests("a Connect client receives code 3 and the BadRequest detail", async () => {
    const client = createClient(EchoService, connectTransport(server.url));
    const err = await rejection(client.echo({ message: "invalid" }));
    assert.instance(err, ConnectError);
    const ce = err as ConnectError;
    assert.is(ce.code, ConnectCode.InvalidArgument);
    assert.is(ce.rawMessage, "the request is invalid");
    const details = ce.findDetails(BadRequestSchema);
    assert.is(details.length, 1);
    assert.equal(
      details[0]!.fieldViolations.map(({ field, description, rule }) => ({ field, description, rule })),
      violations,
    );
  });

  for (const [name, transport] of Object.entries({
    Connect: () => connectTransport(server.url),
    "Connect JSON": () => connectTransport(server.url, { binary: false }),
    gRPC: () => grpcTransport(server.url),
    "gRPC, connect-node's client": () => grpcTransport(server.url, { unaryFastPath: false }),
    "gRPC-Web": () => grpcWebTransport(server.url),
  })) {
    tests(`clientOf over ${name}: the caller gets the KitError the service threw`, async () => {
      const echo = clientOf(EchoService, transport());
      const ctx = backgroundContext({ log: silentLog });
      const fail = async (message: string) => (await rejection(echo.echo(ctx, { message }))) as KitError;

      const invalid = await servedBy(server, unaryFastPath && name.startsWith("gRPC") && name !== "gRPC-Web", () => fail("invalid"));
      assert.instance(invalid, KitError);
      assert.is(invalid.code, Code.InvalidArgument);
      assert.is(invalid.message, "the request is invalid");
      assert.equal(invalid.violations, violations);

      const busy = await fail("busy");
      assert.is(busy.code, Code.ResourceExhausted);
      assert.is(busy.retryAfterMs, 1500);

      for (const message of ["bug", "internal"]) {
        const hidden = await fail(message);
        assert.is(hidden.code, Code.Internal);
        assert.is(hidden.message, HIDDEN_MESSAGE);
      }
    });
  }

  tests("a plain grpc-js client gets code 3, the message, and a decodable google.rpc.Status", async () => {
    const client = grpcJsClient("itinera/echo/v1/echo.proto", "itinera.echo.v1.EchoService", `127.0.0.1:${server.port}`);
    try {
      const err = (await servedBy(server, unaryFastPath, () => rejection(client.unary("Echo", { message: "invalid" })))) as ServiceError;
      assert.is(err.code, 3);
      assert.is(err.details, "the request is invalid");
      const [statusBin] = err.metadata.get("grpc-status-details-bin");
      assert.ok(statusBin instanceof Buffer, "grpc-status-details-bin is sent");
      const status = grpcStatus(statusBin);
      assert.is(status.code, 3);
      assert.is(status.details.length, 1);
      assert.is(status.details[0]!.typeUrl, "type.googleapis.com/itinera.type.v1.BadRequest");
      const badRequest = fromBinary(BadRequestSchema, status.details[0]!.value);
      assert.equal(badRequest.fieldViolations.map((v) => v.rule), ["required", "max_len"]);

      const bug = (await rejection(client.unary("Echo", { message: "bug" }))) as ServiceError;
      assert.is(bug.code, 13);
      assert.not.match(bug.details, "hunter2");
    } finally {
      client.close();
    }
  });

  tests.run();
}

test("toConnectError / fromConnectError round-trip without a network", () => {
  const back = fromConnectError(toConnectError(invalidArgument("bad", violations)));
  assert.is(back.code, Code.InvalidArgument);
  assert.equal(back.violations, violations);
  assert.is(fromConnectError(toConnectError(resourceExhausted("slow down", 250))).retryAfterMs, 250);
  assert.is(toConnectError(new Error("secret")).code, ConnectCode.Internal);
  assert.is(toConnectError(new Error("secret")).rawMessage, HIDDEN_MESSAGE);
  assert.is(toConnectError(new ConnectError("late", ConnectCode.DeadlineExceeded)).code, ConnectCode.DeadlineExceeded);
  const aborted = new DOMException("aborted", "AbortError");
  assert.is(toConnectError(aborted).code, ConnectCode.Canceled);
  // a transport failure seen by a client keeps its code
  assert.is(fromConnectError(new ConnectError("connection refused", ConnectCode.Unavailable)).code, Code.Unavailable);
});

test("a server refusing calls with a stream reset: RESOURCE_EXHAUSTED or UNAVAILABLE through clientOf, unary and streaming, on both clients", async () => {
  for (const [rst, expected] of [
    [http2.constants.NGHTTP2_ENHANCE_YOUR_CALM, Code.ResourceExhausted],
    [http2.constants.NGHTTP2_REFUSED_STREAM, Code.Unavailable],
  ] as const) {
    const refusing = http2.createServer((req) => req.stream.close(rst));
    await new Promise<void>((resolve) => refusing.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(refusing.address() as AddressInfo).port}`;
      for (const unaryFastPath of [true, false]) {
        const echo = clientOf(EchoService, grpcTransport(url, { unaryFastPath }));
        const ctx = backgroundContext({ log: silentLog });
        const drain = async () => {
          for await (const _ of echo.countdown(ctx, { count: 3 }));
        };
        assert.is((await kitRejection(echo.echo(ctx, { message: "x" }))).code, expected, `unary, reset ${rst}, fast client ${unaryFastPath}`);
        assert.is((await kitRejection(drain())).code, expected, `stream, reset ${rst}, fast client ${unaryFastPath}`);
      }
    } finally {
      await new Promise((resolve) => refusing.close(resolve));
    }
  }
});

test.run();
