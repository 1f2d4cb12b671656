// One hotel in the results: picture, stars, place, the from-price (listed,
// wallet markdown, personal price) and a link to its rooms.
import { useId } from "react";
import type { HotelResult } from "../../../gen/itinera/search/v1/search_pb.js";
import { HotelImage } from "../components/HotelImage.js";
import { Price } from "../components/Price.js";
import { Stars } from "../components/Stars.js";
import { nightsLabel, type DateParts } from "../lib/dates.js";
import { hotelUrl } from "../lib/params.js";
import { sellerName } from "../lib/results.js";
import { Link } from "../router.js";

const regions = new Intl.DisplayNames(["en"], { type: "region" });
export const countryName = (code: string): string => {
  try {
    return code ? (regions.of(code.toUpperCase()) ?? code) : "";
  } catch {
    return code;
  }
};

interface HotelCardProps {
  hotel: HotelResult;
  checkIn: DateParts;
  checkOut: DateParts;
  nights: number;
}

export function HotelCard({ hotel, checkIn, checkOut, nights }: HotelCardProps) {
  const titleId = useId();
  const href = hotelUrl(hotel.hotelId, checkIn, checkOut);
  return (
    <li className="card hotel-card" data-testid="hotel-result" data-hotel-id={hotel.hotelId}>
      <article aria-labelledby={titleId}>
        <HotelImage hotel={hotel} />
        <div className="card-body">
          <h2 id={titleId} className="card-title">
            <Link href={href}>{hotel.name}</Link>
          </h2>
          <p className="meta">
            <Stars count={hotel.starRating} /> <span>{[hotel.cityName, countryName(hotel.countryCode)].filter(Boolean).join(", ")}</span>
          </p>
          {hotel.amenities.length > 0 && <p className="amenities">{hotel.amenities.slice(0, 4).join(" · ")}</p>}
        </div>
        <div className="card-aside">
          <Price price={hotel.fromPrice} prefix="From" suffix={`for ${nightsLabel(nights)}`} />
          {hotel.fromPrice?.sellerId && <p className="seller">Sold by {sellerName(hotel.fromPrice.sellerId)}</p>}
          <Link href={href} className="button secondary" aria-label={`See rooms at ${hotel.name}`}>
            See rooms
          </Link>
        </div>
      </article>
    </li>
  );
}
