// gRPC server reflection v1 (grpc.reflection.v1.ServerReflection), so that
// `buf curl --reflect`, grpcurl and Postman can call a server knowing only its
// address. Transport infrastructure, not a kit service: it is a bidi stream,
// registered directly on the router.
//
//   serveReflection(router, [WalletService, Health, ServerReflection])
//
// startServer (transport/server.ts) wires it with every service on its router.
// Answers list_services, file_by_filename, file_containing_symbol (messages,
// enums, services, methods, fields, enum values, extensions),
// file_containing_extension and all_extension_numbers_of_type with the
// serialized FileDescriptorProtos of the file and its transitive dependencies
// (each file once per stream, as the protocol allows); NOT_FOUND otherwise.
import { createRegistry, toBinary, type DescFile, type DescService, type MessageInitShape, type Registry } from "@bufbuild/protobuf";
import { FileDescriptorProtoSchema } from "@bufbuild/protobuf/wkt";
import type { ConnectRouter } from "@connectrpc/connect";
import { Code } from "../endpoints/errors.js";
import { decodedRequests, markImplementationRan } from "./decode-errors.js";
import {
  ServerReflection,
  type ServerReflectionRequest,
  type ServerReflectionResponseSchema,
} from "../gen/grpc/reflection/v1/reflection_pb.js";

type Answer = MessageInitShape<typeof ServerReflectionResponseSchema>["messageResponse"];

/** Everything reflection knows: the services' files and all they import. */
export class ReflectionIndex {
  readonly serviceNames: readonly string[];
  private readonly files = new Map<string, DescFile>();
  private readonly registry: Registry;
  private readonly binaries = new Map<DescFile, Uint8Array>();

  constructor(services: readonly DescService[]) {
    this.serviceNames = [...new Set(services.map((s) => s.typeName))].sort();
    const visit = (file: DescFile) => {
      if (this.files.has(file.proto.name)) return;
      this.files.set(file.proto.name, file);
      file.dependencies.forEach(visit);
    };
    services.forEach((s) => visit(s.file));
    this.registry = createRegistry(...this.files.values());
  }

  fileByName(name: string): DescFile | undefined {
    return this.files.get(name);
  }

  /** The file declaring a fully-qualified symbol: a type, or a member of one. */
  fileContainingSymbol(symbol: string): DescFile | undefined {
    const found = this.registry.get(symbol);
    if (found) return found.file;
    const dot = symbol.lastIndexOf(".");
    const parent = dot > 0 ? this.registry.get(symbol.slice(0, dot)) : undefined;
    const member = symbol.slice(dot + 1);
    switch (parent?.kind) {
      case "service":
        return parent.methods.some((m) => m.name === member) ? parent.file : undefined;
      case "message":
        return parent.fields.some((f) => f.name === member) || parent.oneofs.some((o) => o.name === member)
          ? parent.file
          : undefined;
      case "enum":
        return parent.values.some((v) => v.name === member) ? parent.file : undefined;
      default:
        return undefined;
    }
  }

  fileContainingExtension(extendee: string, number: number): DescFile | undefined {
    const message = this.registry.getMessage(extendee);
    return message ? this.registry.getExtensionFor(message, number)?.file : undefined;
  }

  /** Extension numbers of a message type; undefined when the type is unknown. */
  extensionNumbersOf(extendee: string): number[] | undefined {
    if (!this.registry.getMessage(extendee)) return undefined;
    const numbers: number[] = [];
    for (const desc of this.registry) {
      if (desc.kind === "extension" && desc.extendee.typeName === extendee) numbers.push(desc.number);
    }
    return numbers.sort((a, b) => a - b);
  }

  /** The file and its transitive dependencies, leaving out those in `sent` (which it adds to). */
  withDependencies(file: DescFile, sent: Set<string>): Uint8Array[] {
    const out: Uint8Array[] = [];
    const visit = (f: DescFile) => {
      if (sent.has(f.proto.name)) return;
      sent.add(f.proto.name);
      out.push(this.binary(f));
      f.dependencies.forEach(visit);
    };
    visit(file);
    return out;
  }

  private binary(file: DescFile): Uint8Array {
    let bytes = this.binaries.get(file);
    if (!bytes) {
      bytes = toBinary(FileDescriptorProtoSchema, file.proto);
      this.binaries.set(file, bytes);
    }
    return bytes;
  }
}

/** Answers one reflection request; `sent` holds the files this stream already sent. */
export function answer(index: ReflectionIndex, req: ServerReflectionRequest, sent: Set<string>): Answer {
  const files = (file: DescFile | undefined, what: string): Answer =>
    file
      ? { case: "fileDescriptorResponse", value: { fileDescriptorProto: index.withDependencies(file, sent) } }
      : error(Code.NotFound, `${what} is not known to this server`);
  const r = req.messageRequest;
  switch (r.case) {
    case "listServices":
      return { case: "listServicesResponse", value: { service: index.serviceNames.map((name) => ({ name })) } };
    case "fileByFilename":
      return files(index.fileByName(r.value), `file "${r.value}"`);
    case "fileContainingSymbol":
      return files(index.fileContainingSymbol(r.value), `symbol "${r.value}"`);
    case "fileContainingExtension": {
      const { containingType, extensionNumber } = r.value;
      const what = `extension ${extensionNumber} of "${containingType}"`;
      return files(index.fileContainingExtension(containingType, extensionNumber), what);
    }
    case "allExtensionNumbersOfType": {
      const numbers = index.extensionNumbersOf(r.value);
      return numbers
        ? { case: "allExtensionNumbersResponse", value: { baseTypeName: r.value, extensionNumber: numbers } }
        : error(Code.NotFound, `type "${r.value}" is not known to this server`);
    }
    default:
      return error(Code.InvalidArgument, "the request asks for nothing");
  }
}

function error(errorCode: Code, errorMessage: string): Answer {
  return { case: "errorResponse", value: { errorCode, errorMessage } };
}

/** Registers grpc.reflection.v1.ServerReflection for `services` on the router. */
export function serveReflection(router: ConnectRouter, services: readonly DescService[]): ConnectRouter {
  const index = new ReflectionIndex(services);
  return router.service(ServerReflection, {
    async *serverReflectionInfo(requests, hctx) {
      markImplementationRan(hctx);
      const sent = new Set<string>();
      for await (const req of decodedRequests(requests)) {
        yield { validHost: req.host, originalRequest: req, messageResponse: answer(index, req, sent) };
      }
    },
  });
}
