// A provider's server for its verification, built as the provider's main.ts
// builds it: endpointsOf(desc, impl, ...serverStack({ registry, tracer,
// validators })), serveService with main.ts's bearer-token authentication
// (in tests testTokens().authenticate), startServer (here on port 0, with
// its own metrics registry and tracer, and the database ping as readiness).
//
//   const server = await startProvider(CatalogService, catalog, { validators: catalogValidators(), ready });
//   await verifyProvider("catalog", server.url, states);
//   await server.close();
import type { DescService } from "@bufbuild/protobuf";
import { pino } from "pino";
import { Registry } from "prom-client";
import { endpointsOf, type EndpointSet, type Service, type Validators } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { createTracing } from "../../platform/tracing.js";
import type { Authenticate } from "../../transport/context.js";
import { serveService } from "../../transport/serve.js";
import { startServer, type ServerOptions } from "../../transport/server.js";

export interface ProviderOptions<S extends DescService> {
  validators: Validators<S>;
  /** Who a bearer token is, as main.ts's identityAccess(...).authenticate says (tests: testTokens()). */
  authenticate?: Authenticate;
  /** Readiness, as main.ts passes it (the database ping). */
  ready?: ServerOptions["ready"];
  /** serverStack's limit for methods without their own timeout_ms (main.ts's value, when it sets one). */
  defaultTimeoutMs?: number;
  /** Plain HTTP routes main.ts adds beside the RPCs (sellers' webhook), from the endpoints. */
  http?: (endpoints: EndpointSet, log: ServerOptions["log"]) => ServerOptions["http"];
}

export interface ProviderServer {
  readonly url: string;
  close(): Promise<void>;
}

export async function startProvider<S extends DescService>(
  desc: S,
  impl: Service<S>,
  opts: ProviderOptions<S>,
): Promise<ProviderServer> {
  const log = pino({ level: "silent" });
  const registry = new Registry();
  const tracing = createTracing({ serviceName: desc.typeName });
  const endpoints = endpointsOf(
    desc,
    impl,
    ...serverStack({
      registry,
      tracer: tracing.tracer,
      validators: opts.validators,
      ...(opts.defaultTimeoutMs !== undefined ? { defaultTimeoutMs: opts.defaultTimeoutMs } : {}),
    }),
  );
  const http = opts.http?.(endpoints, log);
  const server = await startServer({
    port: 0,
    log,
    routes: (router) => serveService(router, desc, endpoints, { log, ...(opts.authenticate ? { authenticate: opts.authenticate } : {}) }),
    metrics: registry,
    ...(opts.ready ? { ready: opts.ready } : {}),
    ...(http ? { http } : {}),
  });
  return {
    url: server.url,
    async close() {
      await server.close(5_000);
      await tracing.shutdown();
    },
  };
}
