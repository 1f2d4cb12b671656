// Helpers the kit's tests share: contexts, captured log lines, endpoints
// that count or wait, and asserting that a call fails. Test support only:
// nothing outside *.test.ts files imports it.
import { Writable } from "node:stream";
import * as assert from "uvu/assert";
import pino, { type Logger } from "pino";
import { backgroundContext, type Context } from "./context.js";
import { methodInfo, type Endpoint } from "./endpoint.js";
import { KitError } from "./errors.js";
import { createLogger } from "../platform/logger.js";
import type { SuccessSamplingOptions } from "../platform/log-sampling.js";
import { EchoService } from "../gen/itinera/echo/v1/echo_pb.js";

/** The kit's test methods, described as the middlewares see them. */
export const echoServer = methodInfo(EchoService.method.echo, "server");
export const echoClient = methodInfo(EchoService.method.echo, "client");
/** Slow carries the timeout_ms=200 option. */
export const slowServer = methodInfo(EchoService.method.slow, "server");
export const countdownServer = methodInfo(EchoService.method.countdown, "server");
export const countdownClient = methodInfo(EchoService.method.countdown, "client");

/** A background context whose logger writes nothing. */
export function silentContext(): Context {
  return backgroundContext({ log: pino({ level: "silent" }) });
}

/** The error `p` rejects with, whatever it is; fails the test when `p` fulfils. */
export async function rejection(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  throw new Error("expected a rejection");
}

/** The error `p` rejects with, asserted to be a KitError; fails the test when `p` fulfils. */
export async function kitRejection(p: Promise<unknown>): Promise<KitError> {
  const e = await rejection(p);
  assert.instance(e, KitError);
  return e as KitError;
}

/** A pino destination that keeps every JSON line written to it, parsed, in `lines`. */
export function capture(): { lines: Record<string, unknown>[]; stream: Writable } {
  const lines: Record<string, unknown>[] = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      for (const line of String(chunk).split("\n")) if (line.trim()) lines.push(JSON.parse(line));
      done();
    },
  });
  return { lines, stream };
}

export interface CapturingContextOptions {
  /** The `service` on every line. */
  service: string;
  /** The logger's level; createLogger's default ("info") when absent. */
  level?: string;
  /** The context's request id; a random one when absent. */
  requestId?: string;
  /** Which successes get a line; createLogger's defaults when absent. */
  successes?: Partial<SuccessSamplingOptions>;
}

/** A background context whose logger (createLogger's, as in production) writes into `lines`. */
export function capturingContext(opts: CapturingContextOptions): {
  lines: Record<string, unknown>[];
  log: Logger;
  ctx: Context;
} {
  const { lines, stream } = capture();
  const log = createLogger({ service: opts.service, level: opts.level, destination: stream, successes: opts.successes });
  return { lines, log, ctx: backgroundContext({ log, requestId: opts.requestId }) };
}

/**
 * An endpoint that counts the calls reaching it in `state.calls` and answers
 * "ok", or throws `state.fail` while the test has set it.
 */
export function countingEndpoint(): { endpoint: Endpoint; state: { calls: number; fail: unknown } } {
  const state: { calls: number; fail: unknown } = { calls: 0, fail: undefined };
  const endpoint: Endpoint = async () => {
    state.calls++;
    if (state.fail) throw state.fail;
    return "ok";
  };
  return { endpoint, state };
}

export interface Deferred<T> {
  promise: Promise<T>;
  resolve: (value: T) => void;
  reject: (reason: unknown) => void;
}

/** A promise the test settles from outside (Promise.withResolvers, which Node 20 lacks). */
export function deferred<T = void>(): Deferred<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}
