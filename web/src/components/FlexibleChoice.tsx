// The flexible option as a priced choice next to Book: a checkbox "Free
// cancellation +EUR 40.00" and the total the card will pay with or without it.
import type { Booking } from "../lib/items.js";
import { withFlexible } from "../lib/items.js";
import { formatMoney } from "../lib/money.js";

export function FlexibleChoice({ booking, chosen, onChange }: { booking: Booking; chosen: boolean; onChange: (chosen: boolean) => void }) {
  if ("problem" in booking) return null;
  return (
    <div className="flexible-choice">
      <label>
        <input type="checkbox" data-testid="flexible-option" checked={chosen} onChange={(e) => onChange(e.target.checked)} /> Free cancellation +
        {formatMoney(booking.flexible)}
      </label>
      <p className="booking-total">
        You pay <strong data-testid="booking-total">{formatMoney(withFlexible(booking, chosen))}</strong>
      </p>
    </div>
  );
}
