// Test data for flights: a few airports and a flight builder.
import type { MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import type { AirportSchema, FlightSchema } from "../../gen/itinera/catalog/v1/catalog_pb.js";

export type AirportInit = MessageInitShape<typeof AirportSchema>;
export type FlightInit = MessageInitShape<typeof FlightSchema>;

export const LIS = { code: "LIS", name: "Humberto Delgado", cityId: "lisbon-pt", cityName: "Lisbon", countryCode: "PT", timeZone: "Europe/Lisbon" };
export const MAD = { code: "MAD", name: "Adolfo Suárez Madrid–Barajas", cityId: "madrid-es", cityName: "Madrid", countryCode: "ES", timeZone: "Europe/Madrid" };
export const JFK = { code: "JFK", name: "John F. Kennedy", cityId: "new-york-us", cityName: "New York", countryCode: "US", timeZone: "America/New_York" };
export const LGA = { code: "LGA", name: "LaGuardia", cityId: "new-york-us", cityName: "New York", countryCode: "US", timeZone: "America/New_York" };
export const OPO = { code: "OPO", name: "Francisco Sá Carneiro", cityId: "porto-pt", cityName: "Porto", countryCode: "PT", timeZone: "Europe/Lisbon" };

/**
 * One departure of `number` (carrier = its first two characters); the
 * departure date is the UTC date of `departs`, right for these European zones
 * at these hours.
 */
export function flight(number: string, from: AirportInit, to: AirportInit, departs: string, arrives: string, over: { aircraft?: string; cabinServices?: string[] } = {}) {
  const date = departs.slice(0, 10);
  const [year, month, day] = date.split("-").map(Number) as [number, number, number];
  return {
    flightId: `${number}-${date}`,
    carrierCode: number.slice(0, 2),
    carrierName: "SkyLark Air",
    flightNumber: number,
    origin: from.code!,
    destination: to.code!,
    departureTime: timestampFromDate(new Date(departs)),
    arrivalTime: timestampFromDate(new Date(arrives)),
    departureDate: { year, month, day },
    aircraft: over.aircraft ?? "Airbus A320neo",
    cabinServices: over.cabinServices ?? ["meal", "wifi"],
  } satisfies FlightInit;
}
