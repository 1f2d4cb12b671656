// The BFF for component tests: an in-memory WebClient whose methods are the
// handlers a test passes; every call is recorded (method and request) so a
// test can assert what was asked — or that nothing was. A method the test did
// not provide fails the call with UNIMPLEMENTED, naming it — as a rejected
// promise or a failing stream, the way a real client fails — so a page calling
// something unexpected shows its error state instead of crashing the render.
import { create } from "@bufbuild/protobuf";
import { Code, ConnectError } from "@connectrpc/connect";
import { act, cleanup, render, type RenderResult } from "@testing-library/react";
import type { ReactNode } from "react";
import { CustomerSchema, GetSessionResponseSchema, WebService, type Customer } from "../../../gen/itinera/web/v1/web_pb.js";
import type { WebClient } from "../api/client.js";
import { ApiProvider } from "../api/context.js";
import { SessionProvider } from "../session.js";

type Method = keyof WebClient;
type Handlers = { [M in Method]?: (req: Parameters<WebClient[M]>[0]) => ReturnType<WebClient[M]> };

interface Call {
  method: Method;
  request: unknown;
}

export interface FakeApi {
  client: WebClient;
  calls: Call[];
  /** The requests sent to one method, in order. */
  requests<M extends Method>(method: M): Parameters<WebClient[M]>[0][];
}

function fakeApi(handlers: Handlers): FakeApi {
  const calls: Call[] = [];
  const client = new Proxy({} as WebClient, {
    get(_, name) {
      const method = name as Method;
      return (request: unknown) => {
        calls.push({ method, request });
        const handler = handlers[method] as ((req: unknown) => unknown) | undefined;
        if (handler) return handler(request);
        const missing = new ConnectError(`the test gave no handler for ${String(method)}`, Code.Unimplemented);
        return WebService.method[method].methodKind === "server_streaming" ? failingStream(missing) : Promise.reject(missing);
      };
    },
  });
  const requests = <M extends Method>(method: M) =>
    calls.filter((c) => c.method === method).map((c) => c.request as Parameters<WebClient[M]>[0]);
  return { client, calls, requests };
}

/** Ana, signed in. */
export const ANA: Customer = create(CustomerSchema, { customerId: "cus_ana", displayName: "Ana" });

export interface PageOptions {
  /** Where the browser is (path and query) when the page renders. */
  url?: string;
  /** Who GetSession says is signed in; nobody when left out. */
  customer?: Customer;
}

/**
 * Renders `ui` as the app does (API and session providers around it) at
 * `url`, with GetSession answering `customer` unless the handlers say otherwise;
 * resolves once the calls made on mount (GetSession first) have answered.
 */
export async function renderPage(ui: ReactNode, handlers: Handlers, options: PageOptions = {}): Promise<FakeApi & { view: RenderResult }> {
  window.history.replaceState(null, "", options.url ?? "/");
  const api = fakeApi({
    getSession: async () => create(GetSessionResponseSchema, { customer: options.customer, csrfToken: "csrf" }),
    ...handlers,
  });
  let view!: RenderResult;
  await act(async () => {
    view = render(
      <ApiProvider client={api.client}>
        <SessionProvider>{ui}</SessionProvider>
      </ApiProvider>,
    );
  });
  return { ...api, view };
}

/** Unmounts what a test rendered (call in test.after.each). */
export const unmount = cleanup;

/** A failed call as the BFF answers it. */
export const failure = (code: Code, message = "") => new ConnectError(message, code);

/** A server stream that fails with `error` before its first message. */
export const failingStream = (error: Error): AsyncIterable<never> => ({
  [Symbol.asyncIterator]: () => ({ next: () => Promise.reject(error) }),
});

/** A server stream that sends `messages` and ends. */
export async function* streamOf<T>(...messages: T[]): AsyncGenerator<T> {
  for (const m of messages) yield m;
}
