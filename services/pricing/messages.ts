// Store rows as pricing messages.
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromDate } from "@bufbuild/protobuf/wkt";
import {
  FlightFareSchema,
  PriceSource,
  type FlightFare,
  type HotelOfferSchema,
} from "../../gen/itinera/pricing/v1/pricing_pb.js";
import type { StayTotal } from "./store.js";

export type HotelOfferInit = MessageInitShape<typeof HotelOfferSchema>;

export function storedOffer(hotelId: string, roomId: string, sellerId: string, t: StayTotal): HotelOfferInit {
  return {
    hotelId,
    roomId,
    sellerId,
    total: { amountMinor: t.totalMinor, currency: t.currency },
    listTotal: { amountMinor: t.listTotalMinor, currency: t.currency },
    promotion: t.promotion ?? "",
    available: t.available,
    source: t.stale ? PriceSource.STALE : PriceSource.FRESH,
    priceTime: timestampFromDate(t.priceTime),
  };
}

/** A copy of the fare with another source. */
export function withSource(fare: FlightFare, source: PriceSource): FlightFare {
  return create(FlightFareSchema, { ...fare, source });
}
