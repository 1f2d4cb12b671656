// The Operator page's bookings over time: the reservations made in each hour
// of the last 24, stacked by the state each is in now (booking's
// CountReservationsByState), as an inline SVG chart with a title and a
// description for screen readers, and the same numbers as a table.
import type { ReservationStateBucket } from "../../../gen/itinera/booking/v1/booking_pb.js";
import { useApi } from "../api/context.js";
import { useCall } from "../api/hooks.js";
import { ErrorMessage } from "../components/ErrorMessage.js";

const STATES = [
  { key: "paid", label: "Paid", color: "#0b5cad" },
  { key: "confirmed", label: "Confirmed", color: "#17683a" },
  { key: "fulfilled", label: "Fulfilled", color: "#6b4fa3" },
  { key: "cancelled", label: "Cancelled", color: "#8a8f98" },
  { key: "failed", label: "Failed", color: "#a3231a" },
] as const;
type StateKey = (typeof STATES)[number]["key"];

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 36, right: 8, top: 10, bottom: 26 };

const hourOf = (b: ReservationStateBucket) =>
  new Intl.DateTimeFormat("en-GB", { hour: "2-digit", minute: "2-digit" }).format(new Date(Number(b.startTime?.seconds ?? 0n) * 1000));
const totalOf = (b: ReservationStateBucket) => STATES.reduce((n, s) => n + b[s.key], 0);

export function OperatorBookings() {
  const api = useApi();
  const stats = useCall((signal) => api.getOperatorBookingStats({}, { signal }), [api], { what: "the bookings by state", signInOnUnauthenticated: true });
  return (
    <>
      <h2>Bookings, last 24 hours</h2>
      <p className="lede">The reservations made in each hour, by the state each is in now.</p>
      <div className="toolbar">
        <button type="button" className="secondary small" onClick={stats.reload} disabled={stats.loading} data-testid="bookings-refresh">
          Refresh
        </button>
      </div>
      <ErrorMessage problem={stats.problem} onRetry={stats.reload} />
      {stats.data && <BookingsChart buckets={stats.data.buckets} />}
    </>
  );
}

export function BookingsChart({ buckets }: { buckets: readonly ReservationStateBucket[] }) {
  const totals = Object.fromEntries(STATES.map((s) => [s.key, buckets.reduce((n, b) => n + b[s.key], 0)])) as Record<StateKey, number>;
  const all = STATES.reduce((n, s) => n + totals[s.key], 0);
  const top = Math.max(1, ...buckets.map(totalOf));
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const slot = plotW / Math.max(1, buckets.length);
  const y = (n: number) => PAD.top + plotH - (n / top) * plotH;
  const summary = `${all} reservations made in the last ${buckets.length} hours: ${STATES.map((s) => `${totals[s.key]} ${s.label.toLowerCase()}`).join(", ")}.`;
  return (
    <figure className="bookings-chart">
      <svg
        viewBox={`0 0 ${WIDTH} ${HEIGHT}`}
        role="img"
        aria-labelledby="bookings-chart-title bookings-chart-desc"
        data-testid="bookings-chart"
        {...Object.fromEntries(STATES.map((s) => [`data-${s.key}`, totals[s.key]]))}
      >
        <title id="bookings-chart-title">Reservations per hour, last 24 hours, by state</title>
        <desc id="bookings-chart-desc">{summary} The table below gives every hour's numbers.</desc>
        <line x1={PAD.left} x2={WIDTH - PAD.right} y1={y(0)} y2={y(0)} stroke="#d8dde4" />
        <text x={PAD.left - 6} y={y(top) + 4} textAnchor="end" fontSize="11">
          {top}
        </text>
        <text x={PAD.left - 6} y={y(0)} textAnchor="end" fontSize="11">
          0
        </text>
        {buckets.map((b, i) => {
          let base = 0;
          const x = PAD.left + i * slot + slot * 0.15;
          return (
            <g key={i} data-testid="bookings-bar" data-total={totalOf(b)}>
              {STATES.filter((s) => b[s.key] > 0).map((s) => {
                const from = base;
                base += b[s.key];
                return <rect key={s.key} x={x} width={slot * 0.7} y={y(base)} height={y(from) - y(base)} fill={s.color} data-state={s.key} data-count={b[s.key]} />;
              })}
              {i % 6 === 0 && (
                <text x={x + slot * 0.35} y={HEIGHT - 8} textAnchor="middle" fontSize="11">
                  {hourOf(b)}
                </text>
              )}
            </g>
          );
        })}
      </svg>
      <figcaption>
        <ul className="legend" aria-label="States">
          {STATES.map((s) => (
            <li key={s.key}>
              <span className="swatch" style={{ background: s.color }} aria-hidden="true" /> {s.label}: {totals[s.key]}
            </li>
          ))}
        </ul>
      </figcaption>
      <details>
        <summary>The numbers, hour by hour</summary>
        <div className="table-scroll" tabIndex={0} role="region" aria-label="Reservations per hour">
          <table className="history" data-testid="bookings-table">
            <caption>Reservations per hour, by state now</caption>
            <thead>
              <tr>
                <th scope="col">Hour from</th>
                {STATES.map((s) => (
                  <th key={s.key} scope="col" className="num">
                    {s.label}
                  </th>
                ))}
                <th scope="col" className="num">
                  Total
                </th>
              </tr>
            </thead>
            <tbody>
              {buckets.map((b, i) => (
                <tr key={i} data-testid="bookings-row">
                  <th scope="row">{hourOf(b)}</th>
                  {STATES.map((s) => (
                    <td key={s.key} data-label={s.label} className="num">
                      {b[s.key]}
                    </td>
                  ))}
                  <td data-label="Total" className="num">
                    {totalOf(b)}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      </details>
    </figure>
  );
}
