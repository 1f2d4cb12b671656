// The catalog's records as the service and the stores exchange them: plain
// data, no protobuf, no SQL. A listing is what one seller says; a record is
// what the catalog shows after merging every seller's listings.

export interface RoomListing {
  roomId: string;
  name: string;
  maxOccupancy: number;
  amenities: string[];
}

/** One hotel as one seller lists it. */
export interface HotelListing {
  hotelId: string;
  name: string;
  cityId: string;
  cityName: string;
  countryCode: string;
  countryName: string;
  starRating: number;
  address: string;
  amenities: string[];
  imageUrls: string[];
  rooms: RoomListing[];
}

/** A hotel as the catalog shows it: every seller's listings merged. */
export interface HotelRecord extends HotelListing {
  /** Sorted. */
  sellerIds: string[];
  /** When a seller's listing of it last changed. */
  updateTime: Date;
}

/** One seller's listings, with the aliases it knows of their cities. */
export interface HotelUpsert {
  sellerId: string;
  hotels: HotelListing[];
  /** Other names of cities by city id; a city present here gets exactly these aliases from this seller. */
  cityAliases: ReadonlyMap<string, string[]>;
}

export interface UpsertCounts {
  created: number;
  updated: number;
}

export interface AirportRecord {
  code: string;
  name: string;
  cityId: string;
  cityName: string;
  countryCode: string;
  timeZone: string;
}

/** One departure of one flight number as one seller lists it. */
export interface FlightListing {
  flightId: string;
  carrierCode: string;
  carrierName: string;
  flightNumber: string;
  origin: string;
  destination: string;
  departureTime: Date;
  arrivalTime: Date;
  /** Local date at the origin, "YYYY-MM-DD". */
  departureDate: string;
  aircraft: string;
  cabinServices: string[];
}

export interface FlightRecord extends FlightListing {
  /** Sorted. */
  sellerIds: string[];
}

export interface FlightUpsert {
  sellerId: string;
  flights: FlightListing[];
  airports: AirportRecord[];
}

/** Where a page of search results starts: strictly after this hotel's place in the ranking. */
export interface SearchCursor {
  /** 0 exact city or alias, 1 exact country, 2 full-text, 3 similar city or alias, 4 similar hotel name. */
  tier: number;
  /** Relevance within the tier in millionths, higher first. */
  score: number;
  hotelId: string;
}

/** A hotel found by a search, with its place in the ranking. */
export interface RankedHotel {
  hotel: HotelRecord;
  place: SearchCursor;
}

/** A page of a search, and how many hotels match in all. */
export interface RankedPage {
  hotels: RankedHotel[];
  total: number;
}

/** A fixed order of ids for sorting rows before writing them (one row lock order for every writer). */
export function byCodeUnits(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
