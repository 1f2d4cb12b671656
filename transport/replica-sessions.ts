// The HTTP/2 connection to ONE replica of a dependency (connect-node's
// Http2SessionManager, shared by the unary fast path and connect-node's
// transports), telling the balancer (transport/balancer.ts) two things it
// cannot read from a call's error alone:
//   - the replica sent GOAWAY (it is draining): `onGoaway` runs at once, so no
//     new call is sent there while the calls in flight finish;
//   - a call failed before a stream existed (no connection, refused, connect
//     timeout): `wasNotSent(error)` is true, so any method may go elsewhere.
import type * as http2 from "node:http2";
import { Http2SessionManager } from "@connectrpc/connect-node";

const notSent = new WeakSet<object>();

/** True for an error a ReplicaSessions raised before the request left this process. */
export function wasNotSent(error: unknown): boolean {
  return typeof error === "object" && error !== null && notSent.has(error);
}

export class ReplicaSessions extends Http2SessionManager {
  private watched: http2.Http2Session | undefined;

  constructor(
    baseUrl: string,
    private readonly onGoaway: () => void,
  ) {
    super(baseUrl);
  }

  override request(...args: Parameters<Http2SessionManager["request"]>): Promise<http2.ClientHttp2Stream> {
    return super.request(...args).then(
      (stream) => {
        // One listener per connection: a new one is opened after a GOAWAY.
        if (stream.session !== this.watched && stream.session) {
          this.watched = stream.session;
          stream.session.once("goaway", this.onGoaway);
        }
        return stream;
      },
      (e: unknown) => {
        if (typeof e === "object" && e !== null) notSent.add(e);
        throw e;
      },
    );
  }
}
