// DeadLetterService's endpoints for a process that consumes events, with the
// server's middleware stack: its main.ts serves them on its own port beside
// its own service, with the same authentication:
//
//   routes: (router) => serveService(serveService(router, …), DeadLetterService,
//     deadLetterEndpoints({ rt, groups: [MY_GROUP], deadLetters: busEngine.deadLetters }), { log, authenticate }),
import type { Tracer } from "@opentelemetry/api";
import type { Registry } from "prom-client";
import type { DeadLetters } from "../../endpoints/bus.js";
import { endpointsOf } from "../../endpoints/service.js";
import { serverStack } from "../../endpoints/stack.js";
import { DeadLetterService } from "../../gen/itinera/bus/v1/dead_letters_pb.js";
import { deadLetterService } from "./service.js";
import { deadLetterValidators } from "./validators.js";

export interface DeadLetterEndpointsOptions {
  rt: { registry: Registry; tracer: Tracer };
  /** The consumer groups this process subscribes with: the only ones it answers for. */
  groups: readonly string[];
  deadLetters: DeadLetters;
}

export function deadLetterEndpoints(o: DeadLetterEndpointsOptions) {
  return endpointsOf(
    DeadLetterService,
    deadLetterService({ deadLetters: o.deadLetters, groups: o.groups }),
    ...serverStack({ registry: o.rt.registry, tracer: o.rt.tracer, validators: deadLetterValidators() }),
  );
}
