// DeadLetterService beside a process's own service, on the same port, with
// the same middleware stack and authentication: one line in each main.ts
// whose process consumes events,
//
//   routes: (router) => serveDeadLetters(serveService(router, …), { rt, authenticate, groups: [MY_GROUP], deadLetters }),
//
// with the bus engine's DeadLetters (transport/bus/dead-letters.ts on PostgreSQL).
import type { Tracer } from "@opentelemetry/api";
import type { ConnectRouter } from "@connectrpc/connect";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import type { DeadLetters } from "../../endpoints/bus.js";
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import type { Authenticate } from "../../transport/context.js";
import { serveService } from "../../transport/serve.js";
import { deadLetterService } from "./service.js";
import { deadLetterValidators } from "./validators.js";

export interface ServeDeadLettersOptions {
  rt: { log: Logger; registry: Registry; tracer: Tracer };
  authenticate: Authenticate;
  /** The consumer groups this process subscribes with: the only ones it answers for. */
  groups: readonly string[];
  deadLetters: DeadLetters;
}

export function serveDeadLetters(router: ConnectRouter, o: ServeDeadLettersOptions): ConnectRouter {
  const endpoints = endpointsOf(
    DeadLetterService,
    deadLetterService({ deadLetters: o.deadLetters, groups: o.groups }),
    ...serverStack({ registry: o.rt.registry, tracer: o.rt.tracer, validators: deadLetterValidators() }),
  );
  return serveService(router, DeadLetterService, endpoints, { log: o.rt.log, authenticate: o.authenticate });
}
