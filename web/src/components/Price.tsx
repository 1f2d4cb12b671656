// A price as the traveller sees it: the seller's listed price struck through
// when the wallet takes something off, the markdown, and what they pay —
// with a note in words when the price is stale or missing.
import type { PersonalPrice } from "../../../gen/itinera/search/v1/search_pb.js";
import { formatMoney, isPositive } from "../lib/money.js";
import { hasPrice, priceNote } from "../lib/results.js";

export function Price({ price, suffix, prefix }: { price: PersonalPrice | undefined; suffix?: string; prefix?: string }) {
  const note = priceNote(price);
  if (!hasPrice(price)) {
    return (
      <div className="price missing" data-testid="price">
        <p className="price-note">{note}</p>
      </div>
    );
  }
  const marked = isPositive(price.markdown);
  return (
    <div className={`price ${note ? "stale" : ""}`} data-testid="price">
      {marked && (
        <p className="price-listed">
          <span className="visually-hidden">Listed price </span>
          <s data-testid="listed-price">{formatMoney(price.listed)}</s>{" "}
          <span className="price-markdown" data-testid="markdown">
            −{formatMoney(price.markdown)} from your wallet
          </span>
        </p>
      )}
      <p className="price-final">
        {prefix && <span className="price-prefix">{prefix} </span>}
        <strong data-testid="personal-price">{formatMoney(price.price)}</strong>
        {suffix && <span className="price-suffix"> {suffix}</span>}
      </p>
      {price.promotion && <p className="price-promotion">{price.promotion}</p>}
      {note && <p className="price-note">{note}</p>}
    </div>
  );
}
