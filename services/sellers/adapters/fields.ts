// Reading a seller's decoded JSON or XML safely: each helper returns the
// field with the type asked or throws a SellerDataError saying which field
// of which document was wrong. A seller's bad data is its fault, not ours:
// the service reports it as such (a push: InvalidArgument; a pull: Internal).

export class SellerDataError extends Error {
  override name = "SellerDataError";
}

export type Fields = Record<string, unknown>;

export function record(value: unknown, what: string): Fields {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new SellerDataError(`${what} is not an object`);
  }
  return value as Fields;
}

export function list(value: unknown, what: string): unknown[] {
  if (!Array.isArray(value)) throw new SellerDataError(`${what} is not a list`);
  return value;
}

/** A list field that may be missing (an empty list then). */
export function optionalList(o: Fields, key: string, what: string): unknown[] {
  return o[key] === undefined || o[key] === null ? [] : list(o[key], `${what}.${key}`);
}

export function text(o: Fields, key: string, what: string): string {
  const v = o[key];
  if (typeof v !== "string" || v.trim() === "") throw new SellerDataError(`${what}.${key} is missing or not a string`);
  return v.trim();
}

export function optionalText(o: Fields, key: string): string {
  const v = o[key];
  return typeof v === "string" ? v.trim() : typeof v === "number" ? String(v) : "";
}

/** An integer, given as a JSON number or as a decimal string (XML attributes). */
export function integer(o: Fields, key: string, what: string): number {
  const v = o[key];
  const n = typeof v === "number" ? v : typeof v === "string" && /^-?\d+$/.test(v.trim()) ? Number(v) : NaN;
  if (!Number.isSafeInteger(n)) throw new SellerDataError(`${what}.${key} is missing or not an integer`);
  return n;
}

export function strings(value: unknown, what: string): string[] {
  return list(value, what).map((v, i) => {
    if (typeof v !== "string") throw new SellerDataError(`${what}[${i}] is not a string`);
    return v.trim();
  });
}

/** Runs `parse` and turns any RangeError (bad date, time, amount) into a SellerDataError about `what`. */
export function within<T>(what: string, parse: () => T): T {
  try {
    return parse();
  } catch (e) {
    if (e instanceof SellerDataError) throw e;
    throw new SellerDataError(`${what}: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Runs `work` over `items`, at most `limit` at once, answers in order. */
export async function mapLimit<T, R>(items: readonly T[], limit: number, work: (item: T) => Promise<R>): Promise<R[]> {
  const results: R[] = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i]!);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
