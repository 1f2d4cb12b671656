// Service interfaces derived from generated descriptors with mapped types: a
// named, documented interface per service with no generated code to review.
import {
  create,
  type DescMessage,
  type DescService,
  type MessageInitShape,
  type MessageShape,
} from "@bufbuild/protobuf";
import type { Context } from "./context.js";
import type { FieldViolation } from "./errors.js";
import { chain, methodInfo, type Endpoint, type MethodInfo, type Middleware } from "./endpoint.js";

type Unary = { methodKind: "unary"; input: DescMessage; output: DescMessage };
type ServerStreaming = { methodKind: "server_streaming"; input: DescMessage; output: DescMessage };

/** What an implementation provides: it may answer with init shapes (plain objects). */
export type Handler<M> = M extends Unary
  ? (ctx: Context, req: MessageShape<M["input"]>) => Promise<MessageInitShape<M["output"]>>
  : M extends ServerStreaming
    ? (ctx: Context, req: MessageShape<M["input"]>) => AsyncIterable<MessageInitShape<M["output"]>>
    : never;

/** The interface a service implements: `Service<typeof WalletService>`. */
export type Service<S extends DescService> = { [K in keyof S["method"]]: Handler<S["method"][K]> };

/** What a caller gets: complete messages, every field present. */
export type CallerHandler<M> = M extends Unary
  ? (ctx: Context, req: MessageInitShape<M["input"]>) => Promise<MessageShape<M["output"]>>
  : M extends ServerStreaming
    ? (ctx: Context, req: MessageInitShape<M["input"]>) => AsyncIterable<MessageShape<M["output"]>>
    : never;

/**
 * A service as its callers see it, whether remote (transport's clientOf) or
 * in-process (localClient). A service that depends on another takes a Client.
 */
export type Client<S extends DescService> = { [K in keyof S["method"]]: CallerHandler<S["method"][K]> };

/** Checks one request; returns every violation (empty when valid). */
export type Validator<I> = (req: I) => FieldViolation[];

/** Per-method validators of a service; methods without one accept any input. */
export type Validators<S extends DescService> = {
  [K in keyof S["method"]]?: Validator<MessageShape<S["method"][K]["input"]>>;
};

/** One endpoint per method, with the MethodInfo it was wired with (go-kit's endpoint Set). */
export type EndpointSet = ReadonlyMap<string, { info: MethodInfo; endpoint: Endpoint }>;

/**
 * The server side of the kit: turns an implementation into endpoints, each
 * normalising its output to a complete message and wrapped in `middleware`.
 * Keys are the methods' local names ("getBalance").
 */
export function endpointsOf<S extends DescService>(
  desc: S,
  impl: Service<S>,
  ...middlewares: Middleware[]
): EndpointSet {
  const wrap = chain(...middlewares);
  const set = new Map<string, { info: MethodInfo; endpoint: Endpoint }>();
  for (const method of desc.methods) {
    const info = methodInfo(method, "server");
    const handler = (impl as Record<string, (ctx: Context, req: unknown) => unknown>)[method.localName];
    if (typeof handler !== "function") throw new Error(`${info.procedure} has no implementation`);
    const call = handler.bind(impl);
    const base: Endpoint =
      info.kind === "unary"
        ? async (ctx, req) => create(method.output, (await call(ctx, req)) as MessageInitShape<DescMessage>)
        : async (ctx, req) => completeStream(method.output, call(ctx, req) as AsyncIterable<MessageInitShape<DescMessage>>);
    set.set(method.localName, { info, endpoint: wrap(base, info) });
  }
  return set;
}

/**
 * A Client built from endpoints: what a caller uses. The transport builds the
 * endpoints from a remote connection (clientOf); `localClient` from an
 * implementation in the same process.
 */
export function clientFromEndpoints<S extends DescService>(desc: S, endpoints: EndpointSet): Client<S> {
  const client: Record<string, unknown> = {};
  for (const method of desc.methods) {
    const { info, endpoint } = endpoints.get(method.localName)!;
    client[method.localName] =
      info.kind === "unary"
        ? (ctx: Context, req: MessageInitShape<DescMessage>) => endpoint(ctx, create(method.input, req))
        : (ctx: Context, req: MessageInitShape<DescMessage>) =>
            lazyStream(() => endpoint(ctx, create(method.input, req)) as Promise<AsyncIterable<unknown>>);
  }
  return client as Client<S>;
}

/** An implementation used in-process through the same middlewares a remote call would pass. */
export function localClient<S extends DescService>(desc: S, impl: Service<S>, ...middlewares: Middleware[]): Client<S> {
  return clientFromEndpoints(desc, endpointsOf(desc, impl, ...middlewares));
}

async function* completeStream(schema: DescMessage, source: AsyncIterable<MessageInitShape<DescMessage>>) {
  for await (const item of source) yield create(schema, item);
}

/** An AsyncIterable that starts the call when first iterated. */
function lazyStream<T>(start: () => Promise<AsyncIterable<T>>): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      yield* await start();
    },
  };
}
