// Test fixture: gRPC requests written by hand over node:http2, as a hostile or
// unusual caller sends them (truncated frames, lying length prefixes, odd
// headers), and what the server answered: its headers, grpc-status and
// grpc-message (from the trailers, or from trailers-only headers).
import * as http2 from "node:http2";

export interface GrpcAnswer {
  status: string;
  message: string;
  headers: http2.IncomingHttpHeaders;
}

/** A gRPC length-prefixed message; `length` may lie about the payload. */
export function frame(payload: Uint8Array, flags = 0, length = payload.length): Uint8Array {
  const out = new Uint8Array(5 + payload.length);
  new DataView(out.buffer).setUint32(1, length);
  out[0] = flags;
  out.set(payload, 5);
  return out;
}

/** POSTs `body` to `path` as `application/grpc+proto` (headers may override anything). */
export function rawGrpc(session: http2.ClientHttp2Session, path: string, body: Uint8Array, headers: Record<string, string> = {}): Promise<GrpcAnswer> {
  return new Promise((resolve, reject) => {
    const stream = session.request({
      ":method": "POST",
      ":path": path,
      "content-type": "application/grpc+proto",
      te: "trailers",
      ...headers,
    });
    let response: http2.IncomingHttpHeaders = {};
    let found: { status: string; message: string } | undefined;
    const take = (h: http2.IncomingHttpHeaders) => {
      if (h["grpc-status"] !== undefined) found = { status: String(h["grpc-status"]), message: decodeURIComponent(String(h["grpc-message"] ?? "")) };
    };
    stream.on("response", (h) => {
      response = h;
      take(h);
    });
    stream.on("trailers", take);
    stream.on("data", () => {});
    stream.on("end", () => (found ? resolve({ ...found, headers: response }) : reject(new Error("no grpc-status"))));
    stream.on("error", reject);
    stream.end(body);
  });
}
