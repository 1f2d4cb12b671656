// Test fixture: a plain @grpc/grpc-js client (no Connect code at all), loading
// the .proto files with @grpc/proto-loader, as any gRPC ecosystem client would.
import { fromBinary } from "@bufbuild/protobuf";
import { BinaryReader } from "@bufbuild/protobuf/wire";
import { AnySchema, type Any } from "@bufbuild/protobuf/wkt";
import * as grpc from "@grpc/grpc-js";
import * as protoLoader from "@grpc/proto-loader";

const PROTO_DIR = new URL("../proto", import.meta.url).pathname;

type UnaryMethod = (
  req: object,
  metadata: grpc.Metadata,
  options: grpc.CallOptions,
  callback: (err: grpc.ServiceError | null, res: Record<string, unknown>) => void,
) => grpc.ClientUnaryCall;
type StreamMethod = (req: object, metadata?: grpc.Metadata, options?: grpc.CallOptions) => grpc.ClientReadableStream<Record<string, unknown>>;
type ClientCtor = new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client & Record<string, unknown>;

/** A grpc-js client of `service` (e.g. "itinera.echo.v1.EchoService") defined in `protoFile`. */
export function grpcJsClient(protoFile: string, service: string, address: string) {
  const definition = protoLoader.loadSync(protoFile, {
    includeDirs: [PROTO_DIR],
    longs: String,
    enums: String,
    defaults: true,
  });
  const root = grpc.loadPackageDefinition(definition) as unknown as Record<string, unknown>;
  const Ctor = service.split(".").reduce<unknown>((node, part) => (node as Record<string, unknown>)[part], root) as ClientCtor;
  const client = new Ctor(address, grpc.credentials.createInsecure());

  return {
    /** Calls a unary method; resolves with the response or rejects with the grpc-js ServiceError. */
    unary(method: string, req: object, metadata = new grpc.Metadata()): Promise<Record<string, unknown>> {
      const fn = client[method] as UnaryMethod;
      return new Promise((resolve, reject) =>
        fn.call(client, req, metadata, { deadline: Date.now() + 20_000 }, (err, res) => (err ? reject(err) : resolve(res))),
      );
    },
    /** Reads a whole server stream. */
    async stream(method: string, req: object): Promise<Record<string, unknown>[]> {
      const fn = client[method] as StreamMethod;
      const out: Record<string, unknown>[] = [];
      for await (const msg of fn.call(client, req)) out.push(msg as Record<string, unknown>);
      return out;
    },
    close: () => client.close(),
  };
}

/**
 * The google.rpc.Status a gRPC server sends in the `grpc-status-details-bin`
 * trailer: code = 1, message = 2, details = 3 (google.protobuf.Any). Read by
 * hand, as no google/rpc proto is part of this module.
 */
export function grpcStatus(bin: Uint8Array): { code: number; message: string; details: Any[] } {
  const status = { code: 0, message: "", details: [] as Any[] };
  const reader = new BinaryReader(bin);
  while (reader.pos < reader.len) {
    const [field, wireType] = reader.tag();
    if (field === 1) status.code = reader.int32();
    else if (field === 2) status.message = reader.string();
    else if (field === 3) status.details.push(fromBinary(AnySchema, reader.bytes()));
    else reader.skip(wireType);
  }
  return status;
}
