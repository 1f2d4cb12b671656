// The hotel's photo, served from our own origin (the CSP allows images from
// this origin only; the web service fetches and caches the seller's), or a
// plain placeholder when the hotel has none or it fails to load.
import { useState } from "react";
import { hotelPhotoPath } from "../lib/images.js";

export function HotelImage({ hotel, large }: { hotel: { hotelId: string; name: string; imageUrl: string }; large?: boolean }) {
  const src = hotelPhotoPath(hotel.hotelId, hotel.imageUrl);
  const [broken, setBroken] = useState(!src);
  const className = large ? "hotel-image large" : "hotel-image";
  if (broken) {
    return (
      <div className={`${className} placeholder`} aria-hidden="true">
        {hotel.name.slice(0, 1)}
      </div>
    );
  }
  return <img className={className} src={src} alt={`Photo of ${hotel.name}`} loading="lazy" onError={() => setBroken(true)} />;
}
