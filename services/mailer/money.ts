// Amounts as customers read them in e-mails: a Money field as text.
import type { Money } from "../../gen/itinera/type/v1/money_pb.js";
import { formatMoney as formatAmount } from "../../platform/money.js";

export { formatAmount };

/** A Money field as text; an absent one is zero in `currency`. */
export function formatMoney(m: Money | undefined, currency: string): string {
  return formatAmount(m?.amountMinor ?? 0n, m?.currency || currency);
}
