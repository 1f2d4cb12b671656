// Which pictures the page may load: the CSP is self-only, so a picture from
// another origin would only be blocked (and logged as an error).

/** True for this origin's own picture (or a relative path); false for others and for nonsense. */
export function sameOrigin(src: string, origin: string): boolean {
  if (!src) return false;
  try {
    return new URL(src, origin).origin === origin;
  } catch {
    return false;
  }
}
