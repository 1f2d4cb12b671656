// Which picture the page loads for a hotel: the CSP is self-only, so a
// seller's photo is never loaded from the seller; our origin serves it
// (services/web/hotel-images.ts: /images/hotels/<hotel id>/<n>).

/** Our origin's path of the hotel's photo `n` (from 1); "" when the hotel has no photo (`sellerUrl` empty). */
export function hotelPhotoPath(hotelId: string, sellerUrl: string, n = 1): string {
  return sellerUrl && hotelId ? `/images/hotels/${encodeURIComponent(hotelId)}/${n}` : "";
}
