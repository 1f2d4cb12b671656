// Clients of remote services: descriptor + transport + client middlewares →
// the same Client<S> a local implementation gives (endpoints/service.ts).
//
//   const wallet = clientOf(WalletService, grpcTransport("http://127.0.0.1:7004"), ...clientMiddlewares);
//   const balance = await wallet.getBalance(ctx, { customerId });
//
// Each call carries the caller's Context (transport/context.ts: deadline as
// the call's timeout, signal, x-request-id, traceparent, bearer token) and
// fails with the KitError the remote service threw (transport/errors.ts).
// A server-streaming endpoint resolves once the first message (or the end,
// or the error) has arrived, so that retry and breaker middlewares see
// failures to open the stream; later failures surface while iterating.
// Leaving a `for await` early cancels the call on the server; a stream that
// is never iterated stays open until the caller's ctx.signal fires.
//
// Transports (one per peer, shared by every call; HTTP/2 ones keep one
// connection, which does not keep the process alive when idle):
//   connectTransport(baseUrl, { http2?: false, binary?: true })
//   grpcTransport(baseUrl)                       // gRPC over HTTP/2 (h2c); unary calls by transport/grpc-unary-client.ts
//   grpcTransport(baseUrl, { unaryFastPath: false })  // every call by connect-node's gRPC client
//   grpcWebTransport(baseUrl, { http2?: false })
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type CallOptions, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport, Http2SessionManager } from "@connectrpc/connect-node";
import { chain, methodInfo, type Endpoint, type MethodInfo, type Middleware } from "../endpoints/endpoint.js";
import { clientFromEndpoints, type Client, type EndpointSet } from "../endpoints/service.js";
import { callOptionsOf } from "./context.js";
import { fromConnectError } from "./errors.js";
import { withUnaryFastPath } from "./grpc-unary-client.js";

type RemoteCall = (req: unknown, options: CallOptions) => Promise<unknown> | AsyncIterable<unknown>;

export function clientOf<S extends DescService>(desc: S, transport: Transport, ...middlewares: Middleware[]): Client<S> {
  const remote = createClient(desc, transport) as unknown as Record<string, RemoteCall>;
  const wrap = chain(...middlewares);
  const set = new Map<string, { info: MethodInfo; endpoint: Endpoint }>();
  for (const method of desc.methods) {
    const info = methodInfo(method, "client");
    const call = remote[method.localName]!;
    const base: Endpoint =
      info.kind === "unary"
        ? async (ctx, req) => {
            try {
              return await call(req, callOptionsOf(ctx));
            } catch (e) {
              throw fromConnectError(e);
            }
          }
        : (ctx, req) => {
            // Connect streams stop only through their signal: one per call, so
            // that a consumer leaving early cancels the call on the server too.
            const stream = new AbortController();
            const follow = () => stream.abort(ctx.signal.reason);
            if (ctx.signal.aborted) follow();
            else ctx.signal.addEventListener("abort", follow, { once: true });
            const options = { ...callOptionsOf(ctx), signal: stream.signal };
            return openStream(call(req, options) as AsyncIterable<unknown>, () => {
              ctx.signal.removeEventListener("abort", follow);
              stream.abort();
            });
          };
    set.set(method.localName, { info, endpoint: wrap(base, info) });
  }
  return clientFromEndpoints(desc, set satisfies EndpointSet);
}

/**
 * Waits for the stream's first message, then hands out the whole stream with
 * kit errors; `stop` runs once the stream is over, failed or abandoned.
 */
async function openStream<T>(source: AsyncIterable<T>, stop: () => void): Promise<AsyncIterable<T>> {
  const it = source[Symbol.asyncIterator]();
  let first: IteratorResult<T>;
  try {
    first = await it.next();
  } catch (e) {
    stop();
    throw fromConnectError(e);
  }
  if (first.done) stop();
  return {
    async *[Symbol.asyncIterator]() {
      try {
        for (let next = first; !next.done; next = await it.next()) yield next.value;
      } catch (e) {
        throw fromConnectError(e);
      } finally {
        stop(); // after the end a no-op; when the consumer left early, it cancels the call
      }
    },
  };
}

export interface ConnectTransportOptions {
  /** HTTP/2 cleartext with prior knowledge instead of HTTP/1.1 (default false). */
  http2?: boolean;
  /** Protobuf binary (default) or JSON bodies. */
  binary?: boolean;
}

/**
 * Service-to-service calls stay on a local network: asking for no
 * compression keeps servers from gzipping every large answer (a 14 KB
 * catalog page) only for the caller to inflate it again.
 */
const INTERNAL = { acceptCompression: [] };

export function connectTransport(baseUrl: string, opts: ConnectTransportOptions = {}): Transport {
  const useBinaryFormat = opts.binary ?? true;
  return opts.http2
    ? createConnectTransport({ ...INTERNAL, baseUrl, httpVersion: "2", useBinaryFormat })
    : createConnectTransport({ ...INTERNAL, baseUrl, httpVersion: "1.1", useBinaryFormat });
}

export function grpcTransport(baseUrl: string, opts: { unaryFastPath?: boolean } = {}): Transport {
  if (opts.unaryFastPath === false) return createGrpcTransport({ ...INTERNAL, baseUrl });
  const sessionManager = new Http2SessionManager(baseUrl);
  return withUnaryFastPath(sessionManager, baseUrl, createGrpcTransport({ ...INTERNAL, baseUrl, sessionManager }));
}

export function grpcWebTransport(baseUrl: string, opts: { http2?: boolean } = {}): Transport {
  return opts.http2
    ? createGrpcWebTransport({ ...INTERNAL, baseUrl, httpVersion: "2" })
    : createGrpcWebTransport({ ...INTERNAL, baseUrl, httpVersion: "1.1" });
}
