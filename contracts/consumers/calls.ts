// What every consumer test calls with: a silent context, calendar dates as
// itinera.type.v1.Date, and Connect JSON clients, as the contracts describe calls.
import type { DescService } from "@bufbuild/protobuf";
import { pino } from "pino";
import { backgroundContext, type Principal } from "../../endpoints/context.js";
import { callAs } from "../../endpoints/middleware/call-as.js";
import type { Client } from "../../endpoints/service.js";
import { clientOf, connectTransport } from "../../transport/client.js";

export const ctx = backgroundContext({ log: pino({ level: "silent" }) });

/** A calendar date as itinera.type.v1.Date: "2027-03-10" → { year, month, day }. */
export function day(iso: string): { year: number; month: number; day: number } {
  const [year, month, date] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day: date };
}

/**
 * A client of `desc` at `url` over Connect's JSON protocol: what Pact's mock
 * server understands. With `as`, every call goes as that service, with a
 * token of its own (callAs, as main.ts wires a service calling a peer for
 * itself): the pact's request then carries withBearer.
 */
export function overWire<S extends DescService>(desc: S, url: string, as?: string): Client<S> {
  const self: Principal | undefined = as ? { kind: "service", id: as, roles: [], token: `${as}-own-token` } : undefined;
  return clientOf(desc, connectTransport(url, { binary: false }), ...(self ? [callAs(async () => self)] : []));
}
