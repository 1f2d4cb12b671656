// gRPC server reflection v1: `buf curl --reflect` calls the echo server
// knowing nothing but its address, over gRPC and over Connect; the index
// answers symbols, files and extensions with their dependencies.
// Over both serving paths (echo.fixture.ts SERVING_PATHS).
import { suite, test } from "uvu";
import * as assert from "uvu/assert";
import { execFile } from "node:child_process";
import { fromBinary } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import { createClient } from "@connectrpc/connect";
import { Health } from "../gen/grpc/health/v1/health_pb.js";
import { ServerReflection } from "../gen/grpc/reflection/v1/reflection_pb.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";
import { grpcTransport } from "./client.js";
import { SERVING_PATHS, servedBy, startEchoServer } from "./echo.fixture.js";
import { ReflectionIndex } from "./reflection.js";
import type { RunningServer } from "./server.js";

const BUF = new URL("../node_modules/.bin/buf", import.meta.url).pathname;
for (const { name: path, unaryFastPath } of SERVING_PATHS) {
  const tests = suite(path);
  let server: RunningServer;

  tests.before(async () => {
    server = await startEchoServer({ unaryFastPath });
  });
  tests.after(async () => {
    await server.close(5_000);
  });

  function bufCurl(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      execFile(BUF, ["curl", ...args], { timeout: 60_000 }, (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
      );
    });
  }

  tests("buf curl --protocol grpc --http2-prior-knowledge --reflect calls Echo", async () => {
    const out = await servedBy(server, unaryFastPath, () =>
      bufCurl("--http2-prior-knowledge", "--protocol", "grpc", "--reflect", `${server.url}/itinera.echo.v1.EchoService/Echo`, "-d", '{"message":"hi"}'),
    );
    assert.is(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout), { message: "hi" });
  });

  tests("buf curl --protocol connect --reflect (no prior-knowledge flag) calls Echo", async () => {
    const out = await bufCurl("--protocol", "connect", "--reflect", `${server.url}/itinera.echo.v1.EchoService/Echo`, "-d", '{"message":"hé"}');
    assert.is(out.code, 0, out.stderr);
    assert.equal(JSON.parse(out.stdout), { message: "hé" });
  });

  tests("buf curl --reflect streams Countdown (a method whose file imports our options and descriptor.proto)", async () => {
    const out = await bufCurl("--protocol", "grpc", "--reflect", `${server.url}/itinera.echo.v1.EchoService/Countdown`, "-d", '{"count":2}');
    assert.is(out.code, 0, out.stderr);
    assert.match(out.stdout, /"remaining": 2[\s\S]*"remaining": 1/);
  });

  tests("buf curl --list-services lists the echo, health and reflection services", async () => {
    const out = await bufCurl("--protocol", "grpc", "--reflect", "--list-services", server.url);
    assert.is(out.code, 0, out.stderr);
    assert.equal(out.stdout.trim().split("\n").sort(), [
      "grpc.health.v1.Health",
      "grpc.reflection.v1.ServerReflection",
      "itinera.echo.v1.EchoService",
    ]);
  });

  tests("the reflection stream answers several requests, each file once, and NOT_FOUND for unknown symbols", async () => {
    const client = createClient(ServerReflection, grpcTransport(server.url));
    async function* requests() {
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "itinera.echo.v1.EchoService.Countdown" } };
      yield { messageRequest: { case: "fileByFilename" as const, value: "itinera/options/v1/options.proto" } };
      yield { messageRequest: { case: "fileContainingSymbol" as const, value: "itinera.nope.v1.Nothing" } };
    }
    const answers = [];
    for await (const res of client.serverReflectionInfo(requests())) answers.push(res.messageResponse);
    assert.is(answers.length, 3);
    const [first, second, third] = answers;
    assert.is(first!.case, "fileDescriptorResponse");
    const names = (first!.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto.map(
      (b) => fromBinary(FileDescriptorProtoSchema, b).name,
    );
    assert.equal(names, ["itinera/echo/v1/echo.proto", "itinera/options/v1/options.proto", "google/protobuf/descriptor.proto"]);
    // options.proto was already sent on this stream
    assert.is(second!.case, "fileDescriptorResponse");
    assert.equal((second!.value as { fileDescriptorProto: Uint8Array[] }).fileDescriptorProto, []);
    assert.is(third!.case, "errorResponse");
    assert.is((third!.value as { errorCode: number }).errorCode, 5);
  });

  tests.run();
}

test("ReflectionIndex finds members, extensions and extension numbers", () => {
  const index = new ReflectionIndex([EchoService, Health]);
  assert.is(index.fileContainingSymbol("itinera.echo.v1.EchoRequest.message")?.proto.name, "itinera/echo/v1/echo.proto");
  assert.is(
    index.fileContainingSymbol("grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING")?.proto.name,
    "grpc/health/v1/health.proto",
  );
  assert.is(index.fileContainingSymbol("itinera.echo.v1.EchoService.Missing"), undefined);
  assert.is(index.fileContainingSymbol("itinera.options.v1.timeout_ms")?.proto.name, "itinera/options/v1/options.proto");
  assert.is(index.fileContainingExtension("google.protobuf.MethodOptions", 50001)?.proto.name, "itinera/options/v1/options.proto");
  assert.is(index.fileContainingExtension("google.protobuf.MethodOptions", 50002)?.proto.name, "itinera/options/v1/options.proto");
  assert.is(index.fileContainingExtension("google.protobuf.MethodOptions", 50099), undefined);
  assert.equal(index.extensionNumbersOf("google.protobuf.MethodOptions"), [50001, 50002, 50003, 50004]);
  assert.is(index.extensionNumbersOf("no.such.Type"), undefined);
  assert.equal(index.serviceNames, ["grpc.health.v1.Health", "itinera.echo.v1.EchoService"]);
});

test.run();
