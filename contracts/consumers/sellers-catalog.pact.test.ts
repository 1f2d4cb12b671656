// sellers → catalog: the listings sellers writes (services/sellers/ingestion.ts,
// Ingestion.writeListings, used by pulls and pushes alike), written by
// running that code over a Connect JSON client against Pact's mock server.
//
// Here the request is the contract: every field sellers sends, each with the
// form catalog's validators require (hotel and city ids, ISO country codes,
// IATA codes, stars, absolute image URLs, UTC instants, calendar dates), so
// that catalog cannot tighten a rule sellers' listings would break unseen.
// The answer (created/updated counts) is not read by sellers: a success is
// all it needs, so the pact names no field of it.
import { create, type JsonObject, type JsonValue } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { localClient } from "../../endpoints/service.js";
import { AirportSchema, CatalogService, FlightSchema, HotelSchema } from "../../gen/itinera/catalog/v1/catalog_pb.js";
import { PricingService } from "../../gen/itinera/pricing/v1/pricing_pb.js";
import { Ingestion } from "../../services/sellers/ingestion.js";
import { Code, KitError } from "../../endpoints/errors.js";
import { ctx, overWire } from "./calls.js";
import { connectRequest, connectResponse, consumerPact, type ConsumerPact, Matchers, withBearer } from "../pact.js";

const { eachLike, integer, like, regex } = Matchers;
let pact: ConsumerPact;

const HOTEL_ID = /^h-[A-Za-z0-9]+$/;
const CITY_ID = /^[a-z0-9]+(-[a-z0-9]+)*$/;
const COUNTRY = /^[A-Z]{2}$/;
const IATA = /^[A-Z]{3}$/;
const WEB_URL = /^https?:\/\/\S+$/;
const RFC3339_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/;

/** A hotel as casa's adapter lists it. */
const HOTEL = create(HotelSchema, {
  hotelId: "h-P000003",
  name: "Ribeira Guesthouse",
  cityId: "porto-pt",
  cityName: "Porto",
  countryCode: "PT",
  countryName: "Portugal",
  starRating: 3,
  address: "Rua da Alfândega 12, Porto",
  amenities: ["free wifi"],
  imageUrls: ["https://img.sandbox.itinera.test/P000003/1.jpg"],
  rooms: [{ roomId: "DBL-STD", name: "Double room", maxOccupancy: 2, amenities: ["tv"] }],
  sellerIds: ["casa"],
});

const airport = (code: string, name: string, city: string, timeZone: string) =>
  create(AirportSchema, { code, name, cityId: `${city.toLowerCase()}-pt`, cityName: city, countryCode: "PT", timeZone });
const LIS = airport("LIS", "Humberto Delgado", "Lisbon", "Europe/Lisbon");
const OPO = airport("OPO", "Francisco Sá Carneiro", "Porto", "Europe/Lisbon");
const FAO = airport("FAO", "Faro", "Faro", "Europe/Lisbon");

/** A flight as skylark's adapter lists it: local times turned into UTC instants, the local date kept. */
const FLIGHT = create(FlightSchema, {
  flightId: "SL101-2027-03-10",
  carrierCode: "SL",
  carrierName: "SkyLark Air",
  flightNumber: "SL101",
  origin: "LIS",
  destination: "OPO",
  departureTime: timestampFromDate(new Date("2027-03-10T07:05:00Z")),
  arrivalTime: timestampFromDate(new Date("2027-03-10T08:00:00Z")),
  departureDate: { year: 2027, month: 3, day: 10 },
  aircraft: "Embraer E195-E2",
  cabinServices: ["snack"],
  sellerIds: ["skylark"],
});

const str = (v: JsonValue | undefined) => String(v);
const obj = (v: JsonValue | undefined) => v as JsonObject;
const first = (v: JsonValue | undefined) => (v as JsonValue[])[0];

/** Every field of a hotel, in the form catalog accepts, examples from `h`. */
function hotelTemplate(h: JsonObject) {
  const room = obj(first(h.rooms));
  return {
    hotelId: regex(HOTEL_ID, str(h.hotelId)),
    name: like(str(h.name)),
    cityId: regex(CITY_ID, str(h.cityId)),
    cityName: like(str(h.cityName)),
    countryCode: regex(COUNTRY, str(h.countryCode)),
    countryName: like(str(h.countryName)),
    starRating: integer(Number(h.starRating)),
    address: like(str(h.address)),
    amenities: eachLike(str(first(h.amenities))),
    imageUrls: eachLike(regex(WEB_URL, str(first(h.imageUrls)))),
    rooms: eachLike({
      roomId: like(str(room.roomId)),
      name: like(str(room.name)),
      maxOccupancy: integer(Number(room.maxOccupancy)),
      amenities: eachLike(str(first(room.amenities))),
    }),
    sellerIds: eachLike(str(first(h.sellerIds))),
  };
}

function flightTemplate(x: JsonObject) {
  const date = obj(x.departureDate);
  return {
    flightId: regex(/^[A-Z0-9]{2}\d{1,4}-\d{4}-\d{2}-\d{2}$/, str(x.flightId)),
    carrierCode: regex(/^[A-Z0-9]{2}$/, str(x.carrierCode)),
    carrierName: like(str(x.carrierName)),
    flightNumber: like(str(x.flightNumber)),
    origin: regex(IATA, str(x.origin)),
    destination: regex(IATA, str(x.destination)),
    departureTime: regex(RFC3339_UTC, str(x.departureTime)),
    arrivalTime: regex(RFC3339_UTC, str(x.arrivalTime)),
    departureDate: { year: integer(Number(date.year)), month: integer(Number(date.month)), day: integer(Number(date.day)) },
    aircraft: like(str(x.aircraft)),
    cabinServices: eachLike(str(first(x.cabinServices))),
    sellerIds: eachLike(str(first(x.sellerIds))),
  };
}

function airportTemplate(a: JsonObject) {
  return {
    code: regex(IATA, str(a.code)),
    name: like(str(a.name)),
    cityId: regex(CITY_ID, str(a.cityId)),
    cityName: like(str(a.cityName)),
    countryCode: regex(COUNTRY, str(a.countryCode)),
    timeZone: regex(/^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)+$/, str(a.timeZone)),
  };
}

/** Sellers' ingestion with catalog at `url`; pricing is not called when writing listings. */
function ingestion(url: string): Ingestion {
  const noPricing = () => Promise.reject(new KitError(Code.Unimplemented, "writing listings never calls pricing"));
  const pricing = localClient(PricingService, {
    ingestHotelRates: noPricing,
    getHotelOffers: noPricing,
    getFlightFares: noPricing,
    invalidateRoom: noPricing,
  });
  return new Ingestion({ catalog: overWire(CatalogService, url, "sellers"), pricing });
}

test.before(async () => {
  pact = await consumerPact("sellers", "catalog");
});
test.after(async () => {
  await pact?.close();
});

test("a hotel seller's listings: every hotel field, with its city's aliases", async () => {
  const written = await pact
    .interaction()
    .uponReceiving("a hotel seller's listings")
    .withRequest(
      ...withBearer(connectRequest(
        CatalogService.method.upsertHotels,
        { sellerId: "casa", hotels: [HOTEL], cityAliases: { "porto-pt": { aliases: ["Oporto"] } } },
        (json) => ({
          sellerId: regex(/^[a-z][a-z0-9-]*$/, str(json.sellerId)),
          hotels: eachLike(hotelTemplate(obj(first(json.hotels)))),
          cityAliases: { "porto-pt": { aliases: eachLike("Oporto") } },
        }),
      )),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) =>
      ingestion(mock.url).writeListings(ctx, "casa", {
        hotels: [HOTEL],
        flights: [],
        airports: [],
        cityAliases: new Map([["porto-pt", ["Oporto"]]]),
      }),
    );
  assert.equal(written, { hotels: 1, flights: 0 });
});

test("an airline's listings: every flight field, with the airports the flights use", async () => {
  const written = await pact
    .interaction()
    .uponReceiving("an airline's listings")
    .withRequest(
      ...withBearer(connectRequest(
        CatalogService.method.upsertFlights,
        { sellerId: "skylark", flights: [FLIGHT], airports: [LIS, OPO] },
        (json) => ({
          sellerId: regex(/^[a-z][a-z0-9-]*$/, str(json.sellerId)),
          flights: eachLike(flightTemplate(obj(first(json.flights)))),
          // As many as the flights use (Pact would send copies of one example for a minimum of two).
          airports: (json.airports as JsonObject[]).map(airportTemplate),
        }),
      )),
    )
    .willRespondWith(...connectResponse({}))
    .executeTest((mock) =>
      // FAO is known to the seller but no flight of the page uses it: not sent.
      ingestion(mock.url).writeListings(ctx, "skylark", { hotels: [], flights: [FLIGHT], airports: [FAO, LIS, OPO], cityAliases: new Map() }),
    );
  assert.equal(written, { hotels: 0, flights: 1 });
});

test("the pact is the committed contracts/pacts/sellers-catalog.json (PACT_UPDATE=1 to change it)", async () => {
  await pact.settle();
});

test.run();
