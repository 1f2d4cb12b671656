// The gateway's signature scheme, both directions (briefs: "Sandbox payment
// gateway"): header `x-gateway-signature: t=<unix seconds>,v1=<hex>` where
// the hex is HMAC-SHA256(secret, "<t>.<raw body>"). A receiver rejects a
// missing or wrong signature, and a timestamp more than 300 s from its clock
// (a captured request cannot be replayed later).
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-gateway-signature";
export const DEFAULT_TOLERANCE_SECONDS = 300;

/** The header value for `body` signed at `time`. */
export function signBody(secret: string, body: Uint8Array | string, time: Date = new Date()): string {
  const t = Math.floor(time.getTime() / 1000);
  return `t=${t},v1=${mac(secret, t, body).toString("hex")}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/** Checks a header against the raw body, in constant time per candidate signature. */
export function verifySignature(
  secret: string,
  header: string | undefined,
  body: Uint8Array,
  now: Date = new Date(),
  toleranceSeconds = DEFAULT_TOLERANCE_SECONDS,
): SignatureCheck {
  if (header === undefined || header.trim() === "") return { ok: false, reason: `no ${SIGNATURE_HEADER} header` };
  let t: number | undefined;
  const candidates: Buffer[] = [];
  for (const part of header.split(",")) {
    const [name, value = ""] = part.trim().split("=", 2) as [string, string?];
    if (name === "t" && /^\d{1,12}$/.test(value)) t = Number(value);
    if (name === "v1" && /^[0-9a-f]{64}$/i.test(value)) candidates.push(Buffer.from(value, "hex"));
  }
  if (t === undefined || candidates.length === 0) return { ok: false, reason: "the signature header is malformed" };
  if (Math.abs(now.getTime() / 1000 - t) > toleranceSeconds) {
    return { ok: false, reason: `the signature's timestamp is more than ${toleranceSeconds} s away` };
  }
  const expected = mac(secret, t, body);
  const matches = candidates.some((c) => timingSafeEqual(c, expected));
  return matches ? { ok: true } : { ok: false, reason: "the signature does not match the body" };
}

function mac(secret: string, t: number, body: Uint8Array | string): Buffer {
  return createHmac("sha256", secret).update(`${t}.`).update(body).digest();
}
