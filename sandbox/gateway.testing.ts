// Test support for the sandbox gateway: signed calls as the payment service
// makes them, card form submissions as a browser makes them, and a callback
// receiver that verifies every signature with its own copy of the secret.
import { listen, readBody } from "./http.js";
import { SIGNATURE_HEADER, signatureProblem, signBody } from "./signature.js";

export const TEST_SECRET = "gateway-test-secret";

/** POST a JSON value signed with `secret` (`at`: the signature's unix time). */
export function signedPost(url: string, value: unknown, secret = TEST_SECRET, at?: number): Promise<Response> {
  const body = JSON.stringify(value);
  return fetch(url, {
    method: "POST",
    headers: { "content-type": "application/json", [SIGNATURE_HEADER]: signBody(secret, body, at) },
    body,
  });
}

/** Submits the card form of `sessionId` without following the redirect. */
export function submitCard(gatewayUrl: string, sessionId: string, cardNumber: string): Promise<Response> {
  const form = new URLSearchParams({ card_number: cardNumber, expiry: "12/30", cvc: "123", name: "Test Person" });
  return fetch(`${gatewayUrl}/pay/${sessionId}`, {
    method: "POST",
    redirect: "manual",
    headers: { "content-type": "application/x-www-form-urlencoded" },
    body: form.toString(),
  });
}

export interface ReceivedCallback {
  raw: string;
  body: Record<string, unknown>;
  /** Why the signature was rejected (answered 401), undefined when it was valid. */
  problem: string | undefined;
  status: number;
}

export interface Receiver {
  url: string;
  received: ReceivedCallback[];
  /** How many of the next validly signed callbacks to answer 500. */
  failNext: number;
  close(): Promise<void>;
}

/** A merchant's callback endpoint: 401 on a bad signature, 500 while failNext > 0, else 200. */
export async function startReceiver(secret = TEST_SECRET): Promise<Receiver> {
  const receiver: Receiver = { url: "", received: [], failNext: 0, close: async () => {} };
  const running = await listen(
    (req, res) => {
      void readBody(req).then((raw) => {
        const problem = signatureProblem(secret, req.headers[SIGNATURE_HEADER], raw);
        const status = problem ? 401 : receiver.failNext > 0 ? 500 : 200;
        if (status === 500) receiver.failNext--;
        receiver.received.push({ raw, body: JSON.parse(raw) as Record<string, unknown>, problem, status });
        res.writeHead(status).end();
      });
    },
    0,
    "127.0.0.1",
  );
  receiver.url = `${running.url}/callbacks/gateway`;
  receiver.close = running.close;
  return receiver;
}

export function sessionBody(receiver: Receiver, merchantRef: string, amountMinor = 12_345) {
  return {
    merchant_ref: merchantRef,
    amount_minor: amountMinor,
    currency: "EUR",
    description: "Hotel Aurora, Lisbon — 2 nights",
    callback_url: receiver.url,
    return_url: "http://127.0.0.1:9/checkout/return?from=gateway",
  };
}
