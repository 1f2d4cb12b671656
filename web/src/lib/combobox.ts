// Which suggestion an arrow key makes active: down from the box (-1) is the
// first, down from the last wraps to the first, up from the first (or from the
// box) is the last.
export function moveActive(active: number, count: number, step: 1 | -1): number {
  if (count <= 0) return -1;
  if (step === 1) return active >= count - 1 ? 0 : active + 1;
  return active <= 0 ? count - 1 : active - 1;
}
