import { test } from "uvu";
import * as assert from "uvu/assert";
import { recover } from "./recover.js";
import type { Context } from "../context.js";
import type { Endpoint } from "../endpoint.js";
import { Code, KitError, notFound } from "../errors.js";
import { localClient, type Service } from "../service.js";
import { EchoService } from "../../gen/itinera/echo/v1/echo_pb.js";
import { capturingContext, countdownServer as streaming, echoServer as unary, rejection } from "../testing.js";

const capture = () => capturingContext({ service: "test" });

async function drain(stream: AsyncIterable<unknown>, into: unknown[]): Promise<void> {
  for await (const item of stream) into.push(item);
}

function assertSanitized(e: unknown) {
  assert.instance(e, KitError);
  const k = e as KitError;
  assert.is(k.code, Code.Internal);
  assert.is(k.message, "internal error");
  assert.is(k.cause, undefined, "the original must not travel with the error");
  assert.not.ok(String(k.stack).includes("secret"), "the original's stack must not travel either");
}

test("a thrown Error becomes Internal 'internal error'; the original is logged with its stack", async () => {
  const { lines, ctx } = capture();
  const base: Endpoint = async () => {
    throw new TypeError("secret detail: cannot read properties of undefined");
  };
  const e = await rejection(recover()(base, unary)(ctx, {}));
  assertSanitized(e);
  assert.is(lines.length, 1);
  const line = lines[0]!;
  assert.is(line.level, "error");
  assert.is(line.procedure, "/itinera.echo.v1.EchoService/Echo");
  const err = line.err as Record<string, unknown>;
  assert.ok(String(err.message).includes("secret detail"));
  assert.ok(String(err.stack).includes("recover.test.ts"), "the stack is logged");
});

test("a synchronous throw and a thrown non-Error are recovered too", async () => {
  const { lines, ctx } = capture();
  const sync: Endpoint = () => {
    throw new Error("secret sync");
  };
  assertSanitized(await rejection(recover()(sync, unary)(ctx, {})));
  const str: Endpoint = () => Promise.reject("secret string");
  assertSanitized(await rejection(recover()(str, unary)(ctx, {})));
  assert.is(lines.length, 2);
  assert.is(lines[1]!.err, "secret string");
});

test("kit errors pass through unchanged and are not logged", async () => {
  const { lines, ctx } = capture();
  const original = notFound("wallet w-1 does not exist");
  const base: Endpoint = async () => {
    throw original;
  };
  assert.is(await rejection(recover()(base, unary)(ctx, {})), original);
  assert.is(lines.length, 0);
});

test("answers pass through", async () => {
  const { ctx } = capture();
  const base: Endpoint = async (_c, req) => ({ echoed: req });
  assert.equal(await recover()(base, unary)(ctx, "hi"), { echoed: "hi" });
});

test("an error thrown while a stream is read becomes Internal after the messages already sent", async () => {
  const { lines, ctx } = capture();
  async function* failing() {
    yield 3;
    yield 2;
    throw new RangeError("secret in the stream");
  }
  const base: Endpoint = async () => failing();
  const stream = (await recover()(base, streaming)(ctx, {})) as AsyncIterable<unknown>;
  const got: unknown[] = [];
  assertSanitized(await rejection(drain(stream, got)));
  assert.equal(got, [3, 2]);
  assert.is(lines.length, 1);
  assert.ok(String((lines[0]!.err as Record<string, unknown>).stack).includes("secret in the stream"));
});

test("a stream that fails before it starts, and a kit error inside a stream", async () => {
  const { ctx } = capture();
  const early: Endpoint = async () => {
    throw new Error("secret early");
  };
  assertSanitized(await rejection(recover()(early, streaming)(ctx, {})));
  const kit = new KitError(Code.FailedPrecondition, "the countdown is paused");
  async function* kitFailing() {
    yield 1;
    throw kit;
  }
  const stream = (await recover()(async () => kitFailing(), streaming)(ctx, {})) as AsyncIterable<unknown>;
  assert.is(await rejection(drain(stream, [])), kit);
});

test("a failure after the call was canceled is reported as Canceled, not as a bug", async () => {
  const { lines, ctx } = capture();
  const controller = new AbortController();
  const canceled: Context = { ...ctx, signal: controller.signal };
  const base: Endpoint = async (c) => {
    controller.abort();
    throw c.signal.reason;
  };
  const e = (await rejection(recover()(base, unary)(canceled, {}))) as KitError;
  assert.is(e.code, Code.Canceled);
  assert.is(lines[0]!.level, "warn");
});

test("wired through localClient: a buggy implementation answers Internal", async () => {
  const { ctx } = capture();
  const impl: Service<typeof EchoService> = {
    async echo(_c, req) {
      if (req.message === "boom") throw new Error("secret: db password wrong");
      return { message: req.message };
    },
    async increment() {
      return { value: 1n };
    },
    async *countdown(_c, req) {
      for (let i = req.count; i > 0; i--) {
        if (i === 1) throw new Error("secret off by one");
        yield { remaining: i };
      }
    },
    async slow() {
      return { waitedMs: 0 };
    },
  };
  const client = localClient(EchoService, impl, recover());
  assert.is((await client.echo(ctx, { message: "hi" })).message, "hi");
  assertSanitized(await rejection(client.echo(ctx, { message: "boom" })));
  const got: unknown[] = [];
  assertSanitized(await rejection(drain(client.countdown(ctx, { count: 3 }), got)));
  assert.is(got.length, 2);
});

test.run();
