// RED metrics per method (rate, errors, duration) with prom-client, on the
// registry main.ts passes in (never prom-client's global one). A server
// stream counts as one call that lasts until the stream ends. A bus
// consumer's deliveries have their own metrics, by topic, group and outcome:
//   bus_messages_handled_total, bus_message_handling_duration_seconds.
import { Counter, Gauge, Histogram, type Registry } from "prom-client";
import { observeStream, type Endpoint, type EndpointInfo, type EventInfo, type Middleware } from "../endpoint.js";
import { asKitError, codeName } from "../errors.js";

export interface MetricsOptions {
  /** Duration buckets in seconds; the default spans 0.5 ms to 10 s. */
  buckets?: number[];
}

/** From 0.5 ms (an in-process call) to 10 s (a slow third party). */
export const DEFAULT_DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

type MethodLabel = "side" | "service" | "method";

interface RpcMetrics {
  requests: Counter<MethodLabel | "code">;
  duration: Histogram<MethodLabel>;
  inFlight: Gauge<MethodLabel>;
}

/**
 * The factory may be called any number of times with one registry (a server
 * and several clients in one process): metrics already there are reused.
 */
export function metrics(registry: Registry, opts: MetricsOptions = {}): Middleware<EndpointInfo> {
  const buckets = opts.buckets ?? DEFAULT_DURATION_BUCKETS;
  const m = rpcMetrics(registry, buckets);
  return (next: Endpoint, info: EndpointInfo): Endpoint => {
    if (info.kind === "event") return deliveryMetrics(next, info, busMetrics(registry, buckets));
    // Label sets bound once per method (and per method and code), never per call.
    const labels = { side: info.side, service: info.service, method: info.name };
    const duration = m.duration.labels(labels);
    const inFlight = m.inFlight.labels(labels);
    inFlight.inc(0); // the series exists (at 0) before the first call
    const requests = new Map<string, Counter.Internal>();
    const requestsWith = (code: string) => {
      let counter = requests.get(code);
      if (!counter) requests.set(code, (counter = m.requests.labels({ ...labels, code })));
      return counter;
    };
    const ok = requestsWith(codeName(0));
    const finish = (started: number, error: unknown, failed: boolean) => {
      duration.observe((performance.now() - started) / 1000);
      inFlight.dec();
      (failed ? requestsWith(asKitError(error).codeName) : ok).inc();
    };

    if (info.kind === "server_streaming") {
      return async (ctx, req) => {
        inFlight.inc();
        const started = performance.now();
        let stream: AsyncIterable<unknown>;
        try {
          stream = (await next(ctx, req)) as AsyncIterable<unknown>;
        } catch (e) {
          finish(started, e, true);
          throw e;
        }
        return observeStream(stream, (e) => finish(started, e, e !== undefined));
      };
    }
    return async (ctx, req) => {
      inFlight.inc();
      const started = performance.now();
      try {
        const out = await next(ctx, req);
        finish(started, undefined, false);
        return out;
      } catch (e) {
        finish(started, e, true);
        throw e;
      }
    };
  };
}

function rpcMetrics(registry: Registry, buckets: number[]): RpcMetrics {
  const methodLabels: MethodLabel[] = ["side", "service", "method"];
  return {
    requests: reuse(registry, "rpc_requests_total", Counter, () =>
      new Counter({
        name: "rpc_requests_total",
        help: "RPCs finished, by outcome (gRPC code name).",
        labelNames: [...methodLabels, "code"],
        registers: [registry],
      }),
    ),
    duration: reuse(registry, "rpc_request_duration_seconds", Histogram, () =>
      new Histogram({
        name: "rpc_request_duration_seconds",
        help: "How long RPCs took, from the call to the answer (or to a stream's end).",
        labelNames: methodLabels,
        buckets,
        registers: [registry],
      }),
    ),
    inFlight: reuse(registry, "rpc_in_flight", Gauge, () =>
      new Gauge({
        name: "rpc_in_flight",
        help: "RPCs started and not yet finished.",
        labelNames: methodLabels,
        registers: [registry],
      }),
    ),
  };
}

type DeliveryLabel = "topic" | "group" | "outcome";

interface BusMetrics {
  handled: Counter<DeliveryLabel>;
  duration: Histogram<DeliveryLabel>;
}

/** Every delivery counted and timed once, by outcome ("OK" or the failure's gRPC code name). */
function deliveryMetrics(next: Endpoint, info: EventInfo, m: BusMetrics): Endpoint {
  const labels = (outcome: string) => ({ topic: info.topic, group: info.group, outcome });
  const okLabels = labels(codeName(0));
  m.handled.labels(okLabels).inc(0); // the series exists (at 0) before the first message
  const finish = (started: number, outcome: Record<DeliveryLabel, string>) => {
    m.handled.labels(outcome).inc();
    m.duration.labels(outcome).observe((performance.now() - started) / 1000);
  };
  return async (ctx, req) => {
    const started = performance.now();
    try {
      const out = await next(ctx, req);
      finish(started, okLabels);
      return out;
    } catch (e) {
      finish(started, labels(asKitError(e).codeName));
      throw e;
    }
  };
}

function busMetrics(registry: Registry, buckets: number[]): BusMetrics {
  const labelNames: DeliveryLabel[] = ["topic", "group", "outcome"];
  return {
    handled: reuse(registry, "bus_messages_handled_total", Counter, () =>
      new Counter({
        name: "bus_messages_handled_total",
        help: "Deliveries a bus consumer finished handling, by outcome (OK, or the failure's gRPC code name: the engine retries it).",
        labelNames,
        registers: [registry],
      }),
    ),
    duration: reuse(registry, "bus_message_handling_duration_seconds", Histogram, () =>
      new Histogram({
        name: "bus_message_handling_duration_seconds",
        help: "How long a bus consumer's handler took with one delivery, by outcome.",
        labelNames,
        buckets,
        registers: [registry],
      }),
    ),
  };
}

/** The metric already registered under `name`, or a new one; a clash of kinds is a wiring bug. */
function reuse<M extends object>(
  registry: Registry,
  name: string,
  kind: abstract new (...args: never[]) => M,
  make: () => M,
): M {
  const existing = registry.getSingleMetric(name);
  if (existing === undefined) return make();
  if (!(existing instanceof kind)) throw new Error(`metric ${name} is already registered as another kind of metric`);
  return existing;
}
