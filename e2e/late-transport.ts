// A gRPC transport whose address is known only later: pricing calls sellers
// and sellers calls pricing, so when every server listens on port 0 one of
// the two must be built before the other's address exists. Calls made
// before `connect(url)` fail with Unavailable, as a peer not yet up would.
import { Code, ConnectError, type Transport } from "@connectrpc/connect";
import { grpcTransport } from "../transport/client.js";

export interface LateTransport {
  readonly transport: Transport;
  /** Points every later call at the peer's base URL ("http://127.0.0.1:PORT"). */
  connect(baseUrl: string): void;
}

export function lateTransport(peer: string): LateTransport {
  let target: Transport | undefined;
  const current = (): Transport => {
    if (!target) throw new ConnectError(`${peer} is not started yet`, Code.Unavailable);
    return target;
  };
  return {
    transport: {
      unary: (method, signal, timeoutMs, header, input, contextValues) =>
        current().unary(method, signal, timeoutMs, header, input, contextValues),
      stream: (method, signal, timeoutMs, header, input, contextValues) =>
        current().stream(method, signal, timeoutMs, header, input, contextValues),
    },
    connect(baseUrl) {
      target = grpcTransport(baseUrl);
    },
  };
}
