// A star rating that reads as "4 stars" to a screen reader.
export function Stars({ count }: { count: number }) {
  if (count <= 0) return null;
  const label = `${count} ${count === 1 ? "star" : "stars"}`;
  return (
    <span className="stars" role="img" aria-label={label} title={label}>
      {"★".repeat(count)}
    </span>
  );
}
