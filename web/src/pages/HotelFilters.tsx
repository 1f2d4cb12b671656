// Sorting and filtering the hotels already found (no new search).
import { useId } from "react";
import { HOTEL_SORTS, sellerName, type HotelSort } from "../lib/results.js";

export interface FilterInputs {
  sort: HotelSort;
  maxPrice: string;
  minStars: number;
  seller: string;
}

export const NO_INPUTS: FilterInputs = { sort: "recommended", maxPrice: "", minStars: 0, seller: "" };

interface HotelFiltersProps {
  value: FilterInputs;
  onChange: (value: FilterInputs) => void;
  sellers: string[];
  currency: string;
  maxPriceError: string | undefined;
}

export function HotelFilters({ value, onChange, sellers, currency, maxPriceError }: HotelFiltersProps) {
  const id = useId();
  const set = (patch: Partial<FilterInputs>) => onChange({ ...value, ...patch });
  return (
    <form className="filters" aria-label="Sort and filter hotels" onSubmit={(e) => e.preventDefault()}>
      <div className="field">
        <label htmlFor={`${id}-sort`}>Sort by</label>
        <select id={`${id}-sort`} value={value.sort} onChange={(e) => set({ sort: e.target.value as HotelSort })}>
          {HOTEL_SORTS.map((s) => (
            <option key={s.value} value={s.value}>
              {s.label}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-max`}>Maximum price ({currency})</label>
        <input
          id={`${id}-max`}
          type="text"
          inputMode="decimal"
          placeholder="Any"
          value={value.maxPrice}
          onChange={(e) => set({ maxPrice: e.target.value })}
          aria-invalid={maxPriceError ? true : undefined}
          aria-describedby={maxPriceError ? `${id}-max-error` : undefined}
        />
        {maxPriceError && (
          <p className="field-error" id={`${id}-max-error`}>
            {maxPriceError}
          </p>
        )}
      </div>
      <div className="field">
        <label htmlFor={`${id}-stars`}>Minimum stars</label>
        <select id={`${id}-stars`} value={value.minStars} onChange={(e) => set({ minStars: Number(e.target.value) })}>
          <option value={0}>Any</option>
          {[1, 2, 3, 4, 5].map((n) => (
            <option key={n} value={n}>
              {n}+ {n === 1 ? "star" : "stars"}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor={`${id}-seller`}>Seller</label>
        <select id={`${id}-seller`} value={value.seller} onChange={(e) => set({ seller: e.target.value })}>
          <option value="">Any</option>
          {sellers.map((s) => (
            <option key={s} value={s}>
              {sellerName(s)}
            </option>
          ))}
        </select>
      </div>
      <button type="button" className="link" onClick={() => onChange(NO_INPUTS)}>
        Clear filters
      </button>
    </form>
  );
}
