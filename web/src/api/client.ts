// The one way the app talks to the BFF: Connect over fetch, same origin, with
// the session cookie (credentials "include") and the CSRF header on every call.
import { createClient, type Client } from "@connectrpc/connect";
import { createConnectTransport } from "@connectrpc/connect-web";
import { WebService } from "../../../gen/itinera/web/v1/web_pb.js";
import { csrfInterceptor, type CsrfStore } from "./csrf.js";

export type WebClient = Client<typeof WebService>;

/** `fetchImpl` is for tests; the browser's fetch otherwise. */
export function createWebClient(csrf: CsrfStore, baseUrl: string, fetchImpl?: typeof fetch): WebClient {
  const transport = createConnectTransport({
    baseUrl,
    // The httpOnly session cookie travels only when fetch is told to send it.
    fetch: (input, init) => (fetchImpl ?? globalThis.fetch)(input, { ...init, credentials: "include" }),
    interceptors: [csrfInterceptor(csrf)],
  });
  return createClient(WebService, transport);
}
