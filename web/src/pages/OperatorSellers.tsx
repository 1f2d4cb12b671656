// The Operator page's sellers table: one row per seller with its breaker
// state, its latest failure, how its last pull ended and its look-to-book.
import type { Seller } from "../../../gen/itinera/sellers/v1/sellers_pb.js";

const when = (t: { seconds: bigint } | undefined) =>
  t ? new Intl.DateTimeFormat("en-GB", { dateStyle: "medium", timeStyle: "medium" }).format(new Date(Number(t.seconds) * 1000)) : "";

function lastPull(s: Seller): string {
  if (!s.lastSync) return s.lastSyncTime ? `Data arrived ${when(s.lastSyncTime)}` : "No pull since the sellers service started";
  return s.lastSync.ok ? `OK, ${when(s.lastSync.time)}` : `Failed, ${when(s.lastSync.time)}: ${s.lastSync.error}`;
}

const BREAKER_WORDS: Record<string, string> = { closed: "Closed (calls pass)", open: "Open (not called)", "half-open": "Half-open (probing)" };

export function SellerHealthTable({ sellers }: { sellers: readonly Seller[] }) {
  return (
    <div className="table-scroll" tabIndex={0} role="region" aria-label="Sellers' health">
      <table className="history" data-testid="sellers-table">
        <thead>
          <tr>
            <th scope="col">Seller</th>
            <th scope="col">Breaker</th>
            <th scope="col">Latest failures</th>
            <th scope="col">Last pull</th>
            <th scope="col" className="num">
              Searches
            </th>
            <th scope="col" className="num">
              Look-to-book
            </th>
          </tr>
        </thead>
        <tbody>
          {sellers.map((s) => (
            <tr key={s.sellerId} data-testid="seller-row" data-seller={s.sellerId}>
              <th scope="row">{s.name || s.sellerId}</th>
              <td data-label="Breaker" data-testid="seller-breaker" data-state={s.breakerState} className={s.breakerState === "open" ? "bad" : undefined}>
                {BREAKER_WORDS[s.breakerState] ?? s.breakerState}
              </td>
              <td data-label="Latest failures">
                {s.recentErrors.length === 0 ? (
                  "None"
                ) : (
                  <ul className="plain">
                    {s.recentErrors.map((e, i) => (
                      <li key={i}>
                        {when(e.time)} — {e.operation}: {e.message}
                      </li>
                    ))}
                  </ul>
                )}
              </td>
              <td data-label="Last pull">{lastPull(s)}</td>
              <td data-label="Searches" className="num">
                {s.searches.toString()}
              </td>
              <td data-label="Look-to-book" className="num">
                {s.bookings === 0n ? `${s.lookToBook.toFixed(0)} (no booking yet)` : s.lookToBook.toFixed(1)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
