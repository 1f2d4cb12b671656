// The sandbox gateway's signature scheme, used in both directions (our calls
// to the gateway and its callbacks to us):
//   x-gateway-signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, "<t>.<raw body>")>
// The timestamp is inside the MAC so a captured request cannot be replayed
// later than TOLERANCE_SEC. The payment service has its own copy of the
// scheme (services never import sandbox code); both follow the agreed spec.
import { createHmac, timingSafeEqual } from "node:crypto";

export const SIGNATURE_HEADER = "x-gateway-signature";
/** How far a signature's timestamp may be from the receiver's clock. */
export const TOLERANCE_SEC = 300;

const nowSec = () => Math.floor(Date.now() / 1000);

function mac(secret: string, t: number, body: string): string {
  return createHmac("sha256", secret).update(`${t}.${body}`).digest("hex");
}

/** The header value signing `body` at time `now` (unix seconds). */
export function signBody(secret: string, body: string, now = nowSec()): string {
  return `t=${now},v1=${mac(secret, now, body)}`;
}

/** Why a signature is not accepted, or undefined when it is. */
export function signatureProblem(
  secret: string,
  header: string | string[] | undefined,
  body: string,
  now = nowSec(),
): string | undefined {
  if (typeof header !== "string" || header === "") return `missing ${SIGNATURE_HEADER} header`;
  const parts = new Map(
    header.split(",").map((p) => {
      const i = p.indexOf("=");
      return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
    }),
  );
  const t = Number(parts.get("t"));
  const v1 = parts.get("v1") ?? "";
  if (!Number.isInteger(t) || !/^[0-9a-f]{64}$/.test(v1)) return `malformed ${SIGNATURE_HEADER} header`;
  if (Math.abs(now - t) > TOLERANCE_SEC) return `signature timestamp more than ${TOLERANCE_SEC} s away`;
  const expected = Buffer.from(mac(secret, t, body), "hex");
  if (!timingSafeEqual(expected, Buffer.from(v1, "hex"))) return "signature does not match";
  return undefined;
}

/** True when `header` signs `body` with `secret` within the tolerance. */
export function verifySignature(secret: string, header: string | string[] | undefined, body: string, now = nowSec()): boolean {
  return signatureProblem(secret, header, body, now) === undefined;
}
