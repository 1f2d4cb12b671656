// The endpoint layer's core (go-kit's endpoint package): an Endpoint is one
// RPC — or one bus subscription's handler — as a function, a Middleware
// decorates one, chain composes them.
import { getOption, hasOption, type DescMethod } from "@bufbuild/protobuf";
import { MethodOptions_IdempotencyLevel as Idempotency } from "@bufbuild/protobuf/wkt";
import type { Context } from "./context.js";
import { callers as callersOption, timeout_ms } from "../gen/itinera/options/v1/options_pb.js";

/**
 * One RPC as a function. For a server-streaming method O is an
 * AsyncIterable of messages, resolved when the stream is ready to be read.
 */
export type Endpoint<I = unknown, O = unknown> = (ctx: Context, req: I) => Promise<O>;

/**
 * What a middleware knows about the method it wraps, computed once at wiring
 * time from the method's descriptor (never per call).
 */
export interface MethodInfo {
  readonly method: DescMethod;
  /** "/itinera.wallet.v1.WalletService/GetBalance": the procedure path. */
  readonly procedure: string;
  /** "itinera.wallet.v1.WalletService" */
  readonly service: string;
  /** "GetBalance" */
  readonly name: string;
  readonly kind: "unary" | "server_streaming";
  /** Declared NO_SIDE_EFFECTS or IDEMPOTENT: safe to retry. */
  readonly idempotent: boolean;
  /** The method's (itinera.options.v1.timeout_ms), 0 when not set. */
  readonly timeoutMs: number;
  /**
   * Who may call it: the method's (itinera.options.v1.callers); undefined
   * when the contract declares nobody, and then nobody may.
   */
  readonly callers: MethodCallers | undefined;
  /** Which side of the wire the chain runs on. */
  readonly side: "server" | "client";
}

export interface MethodCallers {
  /** Anyone, signed in or not. */
  readonly anyone: boolean;
  /** A signed-in customer (on their own data: the service's rule). */
  readonly customer: boolean;
  /** These services, by the subject of their service token. */
  readonly services: readonly string[];
}

/** The method's declared callers, or undefined when its contract declares none. */
export function callersOf(method: DescMethod): MethodCallers | undefined {
  if (!hasOption(method, callersOption)) return undefined;
  const c = getOption(method, callersOption);
  return { anyone: c.anyone, customer: c.customer, services: [...c.services] };
}

/**
 * What a middleware knows about the bus subscription it wraps (a consumer is
 * an endpoint: endpoints/consumer.ts), computed once when it subscribes. Its
 * endpoint's request is a `Delivery` (endpoints/bus.ts): the message and its
 * DeliveryMeta.
 */
export interface EventInfo {
  readonly kind: "event";
  readonly side: "consumer";
  /** The engine: "postgresql", "nats" (messaging.system). */
  readonly system: string;
  readonly topic: string;
  /** The consumer group. */
  readonly group: string;
  /** How long one message may take: its handler's deadline (the subscription's timeoutMs, else the bus's default). */
  readonly timeoutMs: number;
}

/**
 * What a middleware knows about the publishing of one topic (the producer
 * side, endpoints/bus-middleware.ts): its endpoint's request is a Publication
 * (endpoints/bus.ts), its answer the message's id. Only tracing serves it.
 */
export interface PublishInfo {
  readonly kind: "event";
  readonly side: "producer";
  readonly system: string;
  readonly topic: string;
}

/** What an endpoint is, for the middlewares that serve both RPCs and subscriptions. */
export type EndpointInfo = MethodInfo | EventInfo;

/** For logs and errors: the procedure of a method, "<group> handling <topic>" for a subscription. */
export function nameOf(info: EndpointInfo): string {
  return info.kind === "event" ? `${info.group} handling ${info.topic}` : info.procedure;
}

/**
 * Decorates an endpoint. Called once per method (or subscription) at wiring
 * time. A middleware that serves both kinds is a Middleware<EndpointInfo>,
 * which fits in either kind's chain.
 */
export type Middleware<I extends EndpointInfo | PublishInfo = MethodInfo> = (next: Endpoint, info: I) => Endpoint;

/** Composes middlewares; the first is the outermost (go-kit's endpoint.Chain). */
export function chain<I extends EndpointInfo | PublishInfo = MethodInfo>(...middlewares: Middleware<I>[]): Middleware<I> {
  return (next, info) => middlewares.reduceRight((ep, mw) => mw(ep, info), next);
}

/** Whether the contract says a call may run twice: idempotency_level NO_SIDE_EFFECTS or IDEMPOTENT. */
export function isIdempotent(method: DescMethod): boolean {
  return method.idempotency === Idempotency.NO_SIDE_EFFECTS || method.idempotency === Idempotency.IDEMPOTENT;
}

export function methodInfo(method: DescMethod, side: "server" | "client"): MethodInfo {
  if (method.methodKind !== "unary" && method.methodKind !== "server_streaming") {
    throw new Error(`${method.parent.typeName}.${method.name}: the kit serves unary and server-streaming methods only`);
  }
  return {
    method,
    procedure: `/${method.parent.typeName}/${method.name}`,
    service: method.parent.typeName,
    name: method.name,
    kind: method.methodKind,
    idempotent: isIdempotent(method),
    timeoutMs: getOption(method, timeout_ms),
    callers: callersOf(method),
    side,
  };
}

/**
 * For middlewares that must see a server stream end (logging, metrics,
 * tracing, bulkheads): wraps the stream an endpoint resolved to so that
 * `onEnd` runs exactly once, with the error if the stream failed, when the
 * consumer finishes or abandons it.
 */
export function observeStream<T>(source: AsyncIterable<T>, onEnd: (error: unknown) => void): AsyncIterable<T> {
  return {
    async *[Symbol.asyncIterator]() {
      let error: unknown = undefined;
      try {
        yield* source;
      } catch (e) {
        error = e;
        throw e;
      } finally {
        onEnd(error);
      }
    },
  };
}
