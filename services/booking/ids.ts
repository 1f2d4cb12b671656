// Reservation ids are derived from the payment id, not drawn at random: the
// wallet hold is made BEFORE the reservation row exists (its key is
// "hold:<reservation id>"), so a CreateReservation that crashed between the
// hold and the insert must find the same id on its retry — and so hold under
// the same key, which the wallet answers with the first hold instead of a
// second one. One payment, one reservation id, one hold, whatever happens.
import { createHash } from "node:crypto";

const ALPHABET = "abcdefghijklmnopqrstuvwxyz234567"; // RFC 4648 base32, lower case

/** "res_" and 26 base32 characters of SHA-256(payment id): 130 bits, no collision in practice. */
export function reservationIdOf(paymentId: string): string {
  const digest = createHash("sha256").update(paymentId, "utf8").digest().subarray(0, 17);
  let bits = 0;
  let value = 0;
  let out = "";
  for (const byte of digest) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5 && out.length < 26) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return `res_${out}`;
}
