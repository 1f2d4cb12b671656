// The listener's limit on RST_STREAM frames (http-listener.ts STREAM_RESETS),
// over real HTTP/2: a caller that cancels a few thousand calls in a burst (as
// one whose calls all pass their deadlines does) keeps its connection; a
// rapid-reset flood still loses it (GOAWAY).
import * as http2 from "node:http2";
import { test } from "uvu";
import * as assert from "uvu/assert";
import { listenHttp1AndH2c, STREAM_RESETS, type HttpListener } from "./http-listener.js";

let listener: HttpListener;

test.before(async () => {
  // Answers after 200 ms, so that every call below is still open when it is reset.
  listener = await listenHttp1AndH2c(
    (_req, res) => {
      setTimeout(() => !res.writableEnded && !res.destroyed && res.end("ok"), 200).unref();
    },
    { port: 0, host: "127.0.0.1", onHandlerError: () => undefined },
  );
});
test.after(async () => {
  await listener.close(1_000);
});

/** Opens `n` calls and cancels each at once; answers how the session ended, if it did, and whether one more call is answered. */
async function resetBurst(n: number): Promise<{ goaway: number | undefined; answered: boolean }> {
  const session = http2.connect(`http://127.0.0.1:${listener.port}`);
  session.on("error", () => undefined);
  let goaway: number | undefined;
  session.on("goaway", (code) => (goaway = code));
  await new Promise<void>((resolve) => session.once("connect", () => resolve()));
  for (let i = 0; i < n; i++) {
    const stream = session.request({ ":method": "POST", ":path": "/" });
    stream.on("error", () => undefined);
    stream.close(http2.constants.NGHTTP2_CANCEL);
  }
  const answered = await new Promise<boolean>((resolve) => {
    try {
      const stream = session.request({ ":method": "GET", ":path": "/" });
      stream.on("response", (headers) => resolve(headers[":status"] === 200));
      stream.on("error", () => resolve(false));
      stream.on("close", () => resolve(false));
      stream.end();
    } catch {
      resolve(false);
    }
  });
  session.destroy();
  return { goaway, answered };
}

test("a caller cancelling 3,000 calls in a burst (nghttp2's default allows 1,000) keeps its connection", async () => {
  const { goaway, answered } = await resetBurst(3_000);
  assert.is(goaway, undefined);
  assert.ok(answered, "the next call on the same connection is answered");
});

test("a rapid-reset flood still loses its connection", async () => {
  const { goaway, answered } = await resetBurst(STREAM_RESETS.streamResetBurst * 3);
  assert.ok(goaway !== undefined, "the server closed the connection");
  assert.not.ok(answered);
});

test.run();
