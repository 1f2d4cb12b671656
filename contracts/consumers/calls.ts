// What every consumer test calls with: a silent context, calendar dates as
// itinera.type.v1.Date, and Connect JSON clients, as the contracts describe calls.
import type { DescService } from "@bufbuild/protobuf";
import { pino } from "pino";
import { backgroundContext } from "../../endpoints/context.js";
import type { Client } from "../../endpoints/service.js";
import { clientOf, connectTransport } from "../../transport/client.js";

export const ctx = backgroundContext({ log: pino({ level: "silent" }) });

/** A calendar date as itinera.type.v1.Date: "2027-03-10" → { year, month, day }. */
export function day(iso: string): { year: number; month: number; day: number } {
  const [year, month, date] = iso.split("-").map(Number) as [number, number, number];
  return { year, month, day: date };
}

/** A client of `desc` at `url` over Connect's JSON protocol: what Pact's mock server understands. */
export function overWire<S extends DescService>(desc: S, url: string): Client<S> {
  return clientOf(desc, connectTransport(url, { binary: false }));
}
