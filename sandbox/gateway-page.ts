// The sandbox gateway's pages: a plain, accessible card form that works on a
// phone (labelled fields, numeric keyboards, autofill hints, the error tied
// to the field it is about), the "processing" page of the card that never
// answers, and the page of a session already decided. Everything shown is
// escaped; nothing the customer typed is ever written back into a page.
import { TEST_CARDS, type Session } from "./gateway-ledger.js";
import { escapeHtml } from "./http.js";

/** "EUR 123.45": the amount in major units, with the currency's own number of decimals. */
export function formatAmount(minor: number, currency: string): string {
  let digits = 2;
  try {
    digits = new Intl.NumberFormat("en", { style: "currency", currency }).resolvedOptions().maximumFractionDigits ?? 2;
  } catch {
    // An unknown currency code: two decimals.
  }
  const sign = minor < 0 ? "-" : "";
  const abs = String(Math.abs(minor)).padStart(digits + 1, "0");
  const major = digits === 0 ? abs : `${abs.slice(0, -digits)}.${abs.slice(-digits)}`;
  return `${currency} ${sign}${major}`;
}

const STYLE = `
  *{box-sizing:border-box}
  body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1b1b1f;background:#f4f5f7}
  main{max-width:28rem;margin:0 auto;padding:1.25rem}
  .card{background:#fff;border-radius:.75rem;padding:1.25rem;box-shadow:0 1px 3px rgba(0,0,0,.12)}
  h1{font-size:1.25rem;margin:0 0 .25rem}
  .amount{font-size:1.75rem;font-weight:700;margin:.25rem 0 1rem}
  label{display:block;font-weight:600;margin:.9rem 0 .3rem}
  input{width:100%;font:inherit;padding:.7rem .75rem;border:1px solid #8a8f98;border-radius:.5rem}
  input:focus{outline:3px solid #3d6df2;outline-offset:1px}
  input[aria-invalid=true]{border-color:#b3261e}
  .row{display:flex;gap:.75rem}.row>div{flex:1;min-width:0}
  .error{color:#b3261e;font-weight:600;margin:.4rem 0 0}
  button,.button{display:block;width:100%;margin-top:1.25rem;padding:.85rem;font:inherit;font-weight:700;color:#fff;
    background:#1f4fd1;border:0;border-radius:.5rem;text-align:center;text-decoration:none;cursor:pointer}
  button:focus{outline:3px solid #0b2a7a;outline-offset:2px}
  .muted{color:#51555c;font-size:.9rem}
  .sandbox{margin-top:1.25rem;padding:.9rem 1rem;border:1px dashed #8a8f98;border-radius:.5rem;background:#fffbe6}
  .sandbox h2{font-size:1rem;margin:0 0 .4rem}.sandbox ul{margin:0;padding-left:1.2rem}
  code{font-size:.95rem}
`;

function layout(title: string, content: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)} · Sandbox Pay</title>
<style>${STYLE}</style>
</head>
<body>
<main>
<p class="muted">Sandbox Pay — a test payment gateway. No real money moves.</p>
${content}
</main>
</body>
</html>
`;
}

function summary(s: Session): string {
  return `<h1>${escapeHtml(s.description || "Payment")}</h1>
<p class="amount">${escapeHtml(formatAmount(s.amountMinor, s.currency))}</p>`;
}

/** The card form; `error` is shown under the card number field (and the page answered 400). */
export function cardPage(s: Session, error?: string): string {
  const invalid = error ? ` aria-invalid="true" aria-describedby="card-error"` : "";
  const cards = TEST_CARDS.map((c) => `<li><code>${c.number}</code> — ${escapeHtml(c.what)}</li>`).join("\n");
  return layout(
    error ? "Error: check the card number" : "Pay by card",
    `<section class="card">
${summary(s)}
<form method="post" action="/pay/${encodeURIComponent(s.id)}" novalidate>
<label for="card_number">Card number</label>
<input id="card_number" name="card_number" type="text" inputmode="numeric" autocomplete="cc-number"
  pattern="[0-9 ]*" maxlength="23" placeholder="1234 5678 9012 3456" required autofocus${invalid}>
${error ? `<p id="card-error" class="error" role="alert">${escapeHtml(error)}</p>` : ""}
<div class="row">
<div>
<label for="expiry">Expiry (MM/YY)</label>
<input id="expiry" name="expiry" type="text" inputmode="numeric" autocomplete="cc-exp" maxlength="7" placeholder="MM/YY">
</div>
<div>
<label for="cvc">Security code (CVC)</label>
<input id="cvc" name="cvc" type="text" inputmode="numeric" autocomplete="cc-csc" maxlength="4" placeholder="123">
</div>
</div>
<label for="name">Name on card</label>
<input id="name" name="name" type="text" autocomplete="cc-name" maxlength="100">
<button type="submit">Pay ${escapeHtml(formatAmount(s.amountMinor, s.currency))}</button>
</form>
</section>
<section class="sandbox" aria-labelledby="test-cards">
<h2 id="test-cards">Test cards</h2>
<ul>
${cards}
</ul>
<p class="muted">Any expiry, security code and name will do.</p>
</section>`,
  );
}

/** The card that never answers: the payment stays "processing" (it expires on the merchant's side). */
export function processingPage(s: Session): string {
  return layout(
    "Processing",
    `<section class="card" aria-live="polite">
${summary(s)}
<p role="status"><strong>Your payment is processing.</strong></p>
<p>The card issuer has not answered yet. You do not need to pay again; you may close this page.</p>
</section>`,
  );
}

/** A session opened after it was decided: where the customer goes back to. */
export function decidedPage(s: Session, returnTo: string): string {
  const what = s.status === "authorised" ? "This payment was accepted." : `This payment was declined. ${s.reason}`;
  return layout(
    s.status === "authorised" ? "Paid" : "Declined",
    `<section class="card">
${summary(s)}
<p role="status"><strong>${escapeHtml(what)}</strong></p>
<a class="button" href="${escapeHtml(returnTo)}">Back to the shop</a>
</section>`,
  );
}

export function notFoundPage(): string {
  return layout(
    "Payment not found",
    `<section class="card"><h1>Payment not found</h1><p>This payment link is unknown or has been reset.</p></section>`,
  );
}
