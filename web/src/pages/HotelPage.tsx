// /hotel/<id>?in=&out=: one hotel, its rooms priced for the stay, Book per room.
import { useState, type FormEvent } from "react";
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";
import { FlexibleChoice } from "../components/FlexibleChoice.js";
import { Field } from "../components/Field.js";
import { HotelImage } from "../components/HotelImage.js";
import { Price } from "../components/Price.js";
import { Stars } from "../components/Stars.js";
import { useBook } from "../components/useBook.js";
import { useTitle } from "../components/useTitle.js";
import { daysBetween, defaultStay, formatDate, nightsLabel, parseIsoDate, stayProblems, toIsoDate } from "../lib/dates.js";
import { hotelStayBooking } from "../lib/items.js";
import { formatMoney, isPositive } from "../lib/money.js";
import { hotelUrl, parseHotelSearch } from "../lib/params.js";
import { degradedNotices, sellerName } from "../lib/results.js";
import { navigate, useLocation } from "../router.js";
import { countryName } from "./HotelCard.js";

export function HotelPage({ hotelId }: { hotelId: string }) {
  const api = useApi();
  const location = useLocation();
  const fromUrl = parseHotelSearch(location.search);
  const guess = defaultStay();
  const checkIn = fromUrl.checkIn ?? guess.checkIn;
  const checkOut = fromUrl.checkOut ?? guess.checkOut;
  const stayOk = Object.keys(stayProblems(checkIn, checkOut)).length === 0;
  const call = useCall((signal) => api.getHotel({ hotelId, checkIn, checkOut }, { signal }), [api, hotelId, location.search], {
    what: "the hotel",
    enabled: stayOk,
  });
  const booking = useBook(call.reload);
  const [flexible, setFlexible] = useState<Record<string, boolean>>({});
  const hotel = call.data?.hotel;
  const nights = daysBetween(checkIn, checkOut);
  useTitle(hotel?.name ?? "Hotel");

  return (
    <section className="hotel-page">
      <h1 tabIndex={-1}>{hotel?.name ?? (call.loading ? "Loading the hotel…" : "Hotel")}</h1>
      {hotel && (
        <div className="hotel-head">
          <HotelImage hotel={hotel} large />
          <div>
            <p className="meta">
              <Stars count={hotel.starRating} /> {[hotel.cityName, countryName(hotel.countryCode)].filter(Boolean).join(", ")}
            </p>
            {hotel.amenities.length > 0 && (
              <ul className="amenity-list" aria-label="Amenities">
                {hotel.amenities.map((a) => (
                  <li key={a}>{a}</li>
                ))}
              </ul>
            )}
          </div>
        </div>
      )}
      <StayForm key={location.search} hotelId={hotelId} checkIn={toIsoDate(checkIn)} checkOut={toIsoDate(checkOut)} />
      <p className="lede">
        {formatDate(checkIn)} – {formatDate(checkOut)} · {nightsLabel(nights)}
      </p>
      {call.loading && (
        <p className="status" role="status">
          <span className="spinner" aria-hidden="true" /> Loading rooms and prices…
        </p>
      )}
      <ErrorMessage problem={call.problem} onRetry={call.reload} />
      {degradedNotices(call.data?.degraded ?? []).map((note) => (
        <p key={note} className="notice" role="note" data-testid="degraded">
          {note}
        </p>
      ))}
      {isPositive(call.data?.walletAvailable) && (
        <p className="notice wallet-note">Your wallet has {formatMoney(call.data?.walletAvailable)}: it is already taken off the prices below.</p>
      )}
      {hotel && (
        <>
          <h2>Rooms</h2>
          {hotel.rooms.length === 0 && <p className="empty">No rooms are offered for these dates.</p>}
          <ul className="results rooms" aria-label="Rooms" data-testid="rooms">
            {hotel.rooms.map((room) => {
              const id = room.roomId;
              const busy = booking.pending === id;
              const choice = hotelStayBooking(room);
              return (
                <li key={id} className="card room-card" data-testid="room" data-room-id={id}>
                  <div className="card-body">
                    <h3 className="card-title">{room.name}</h3>
                    <p className="meta">
                      Sleeps {room.maxOccupancy}
                      {room.offerCount > 1 ? ` · ${room.offerCount} offers compared` : ""}
                      {room.price?.sellerId ? ` · sold by ${sellerName(room.price.sellerId)}` : ""}
                    </p>
                  </div>
                  <div className="card-aside">
                    <Price price={room.price} suffix={`for ${nightsLabel(nights)}`} />
                    <FlexibleChoice booking={choice} chosen={!!flexible[id]} onChange={(on) => setFlexible((f) => ({ ...f, [id]: on }))} />
                    <button
                      type="button"
                      className="primary"
                      data-testid="book-button"
                      aria-label={`Book ${room.name}`}
                      disabled={!!booking.pending}
                      aria-busy={busy}
                      onClick={() => void booking.book(id, choice, !!flexible[id])}
                    >
                      {busy ? "Booking…" : "Book"}
                    </button>
                    <ErrorMessage problem={booking.problemFor(id)} />
                  </div>
                </li>
              );
            })}
          </ul>
        </>
      )}
    </section>
  );
}

/** Other dates for the same hotel. */
function StayForm({ hotelId, checkIn, checkOut }: { hotelId: string; checkIn: string; checkOut: string }) {
  const [inText, setIn] = useState(checkIn);
  const [outText, setOut] = useState(checkOut);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const submit = (e: FormEvent) => {
    e.preventDefault();
    const found = stayProblems(parseIsoDate(inText), parseIsoDate(outText));
    setProblems(found);
    if (Object.keys(found).length === 0) navigate(hotelUrl(hotelId, parseIsoDate(inText), parseIsoDate(outText)), { replace: true });
  };
  return (
    <form className="stay-form" onSubmit={submit} noValidate aria-label="Dates of your stay">
      <Field label="Check-in" type="date" value={inText} onChange={(e) => setIn(e.target.value)} error={problems.check_in} />
      <Field label="Check-out" type="date" value={outText} onChange={(e) => setOut(e.target.value)} error={problems.check_out} />
      <button type="submit" className="secondary">
        Update prices
      </button>
    </form>
  );
}
