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
// connection per replica, which does not keep the process alive when idle):
//   connectTransport(baseUrl, { http2?: false, binary?: true })
//   grpcTransport(peers)                         // gRPC over HTTP/2 (h2c); unary calls by transport/grpc-unary-client.ts
//   grpcTransport(peers, { unaryFastPath: false })  // every call by connect-node's gRPC client
//   grpcTransport(peers, { log })                // replicas going out and back logged there (main.ts: rt.log)
//   grpcWebTransport(baseUrl, { http2?: false })
// `peers` (gRPC, and Connect over HTTP/2) is what a dependency's URL variable
// holds (platform/peer-urls.ts): one base URL whose host is an IP address is
// called as it always was; a comma-separated list of replicas, or a host name
// (all its addresses), is balanced by transport/balancer.ts, which stops
// calling a replica that drains or fails and resends what is safe to resend.
import type { DescService } from "@bufbuild/protobuf";
import { createClient, type CallOptions, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport, createGrpcWebTransport } from "@connectrpc/connect-node";
import { chain, methodInfo, type Endpoint, type MethodInfo, type Middleware } from "../endpoints/endpoint.js";
import { clientFromEndpoints, type Client, type EndpointSet } from "../endpoints/service.js";
import { callOptionsOf } from "./context.js";
import { fromConnectError } from "./errors.js";
import { peerUrlList } from "../platform/peer-urls.js";
import { balancedTransport, type BalancerOptions, type ReplicaTransport } from "./balancer.js";
import { withUnaryFastPath } from "./grpc-unary-client.js";
import { hasAddress } from "./replica-addresses.js";
import { ReplicaSessions } from "./replica-sessions.js";

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

export interface ConnectTransportOptions extends BalancerOptions {
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

/** `peers` over HTTP/2 (Connect, or gRPC); HTTP/1.1 takes one base URL. */
export function connectTransport(peers: string, opts: ConnectTransportOptions = {}): Transport {
  const useBinaryFormat = opts.binary ?? true;
  if (!opts.http2) return createConnectTransport({ ...INTERNAL, baseUrl: onlyUrl(peers), httpVersion: "1.1", useBinaryFormat });
  return replicated(peers, opts, (baseUrl, onGoaway) =>
    createConnectTransport({ ...INTERNAL, baseUrl, httpVersion: "2", useBinaryFormat, sessionManager: new ReplicaSessions(baseUrl, onGoaway) }),
  );
}

export interface GrpcTransportOptions extends BalancerOptions {
  /** Unary calls by transport/grpc-unary-client.ts (default true), or by connect-node's gRPC client. */
  unaryFastPath?: boolean;
}

export function grpcTransport(peers: string, opts: GrpcTransportOptions = {}): Transport {
  return replicated(peers, opts, (baseUrl, onGoaway) => {
    const sessionManager = new ReplicaSessions(baseUrl, onGoaway);
    const streaming = createGrpcTransport({ ...INTERNAL, baseUrl, sessionManager });
    return opts.unaryFastPath === false ? streaming : withUnaryFastPath(sessionManager, baseUrl, streaming);
  });
}

export function grpcWebTransport(baseUrl: string, opts: { http2?: boolean } = {}): Transport {
  return opts.http2
    ? createGrpcWebTransport({ ...INTERNAL, baseUrl, httpVersion: "2" })
    : createGrpcWebTransport({ ...INTERNAL, baseUrl, httpVersion: "1.1" });
}

/** One replica at an IP address: its own transport, as before balancing existed; otherwise the balancer over all. */
function replicated(peers: string, opts: BalancerOptions, open: ReplicaTransport): Transport {
  const urls = peerUrlList(peers);
  if (urls.length === 1 && hasAddress(urls[0]!)) return open(urls[0]!, () => {});
  return balancedTransport(urls, open, opts);
}

function onlyUrl(peers: string): string {
  const urls = peerUrlList(peers);
  if (urls.length > 1) throw new Error(`HTTP/1.1 transports call one base URL, got ${urls.length}: use http2 to balance over replicas`);
  return urls[0]!;
}
