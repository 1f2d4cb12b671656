// Reading whole hotels: the select list that brings a hotel with its rooms
// in one row (rooms as a json array), and that row as a HotelRecord.
import type { HotelRecord } from "./listings.js";

type Row = Record<string, unknown>;

/** Columns of `hotels h`, and its rooms sorted by room_id, for a select list. */
export const HOTEL_WITH_ROOMS = `h.hotel_id, h.name, h.city_id, h.city_name, h.country_code, h.country_name,
  h.star_rating, h.address, h.amenities, h.image_urls, h.seller_ids, h.update_time,
  (select coalesce(json_agg(json_build_object(
            'roomId', r.room_id, 'name', r.name, 'maxOccupancy', r.max_occupancy, 'amenities', r.amenities)
          order by r.room_id), '[]')
     from rooms r where r.hotel_id = h.hotel_id) as rooms`;

export function hotelRecord(h: Row): HotelRecord {
  return {
    hotelId: h.hotel_id as string,
    name: h.name as string,
    cityId: h.city_id as string,
    cityName: h.city_name as string,
    countryCode: h.country_code as string,
    countryName: h.country_name as string,
    starRating: h.star_rating as number,
    address: h.address as string,
    amenities: h.amenities as string[],
    imageUrls: h.image_urls as string[],
    rooms: h.rooms as HotelRecord["rooms"],
    sellerIds: h.seller_ids as string[],
    updateTime: h.update_time as Date,
  };
}
