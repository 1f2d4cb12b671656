// Serves a kit service on a Connect router: the one place where the endpoint
// layer meets the wire (go-kit's transport server).
//
//   serveService(router, WalletService, endpointsOf(WalletService, impl, ...mws), { log })
//
// Every method of `desc` must have an endpoint in `endpoints` (endpointsOf
// builds exactly that). Each call gets a kit Context from its HandlerContext
// (transport/context.ts), runs the endpoint, and whatever the endpoint throws
// leaves as a ConnectError with the same code (transport/errors.ts). Unary and
// server-streaming methods; the router answers Connect, gRPC and gRPC-Web.
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, ServiceImpl } from "@connectrpc/connect";
import type { Context } from "../endpoints/context.js";
import { KitError } from "../endpoints/errors.js";
import type { EndpointSet } from "../endpoints/service.js";
import { contextFromHandler, type HandlerContextOptions } from "./context.js";
import { toConnectError } from "./errors.js";

export type ServeOptions = HandlerContextOptions;

type UnaryImpl = (req: unknown, hctx: HandlerContext) => Promise<unknown>;
type StreamImpl = (req: unknown, hctx: HandlerContext) => AsyncIterable<unknown>;

export function serveService<S extends DescService>(
  router: ConnectRouter,
  desc: S,
  endpoints: EndpointSet,
  opts: ServeOptions,
): ConnectRouter {
  const impl: Record<string, UnaryImpl | StreamImpl> = {};
  for (const method of desc.methods) {
    const wired = endpoints.get(method.localName);
    if (!wired) throw new Error(`/${desc.typeName}/${method.name} has no endpoint`);
    const { info, endpoint } = wired;
    if (info.kind === "unary") {
      impl[method.localName] = async (req, hctx) => {
        const ctx = await contextOrThrow(hctx, opts);
        try {
          return await endpoint(ctx, req);
        } catch (e) {
          throw failure(ctx, e);
        }
      };
    } else {
      impl[method.localName] = async function* (req, hctx) {
        const ctx = await contextOrThrow(hctx, opts);
        try {
          yield* (await endpoint(ctx, req)) as AsyncIterable<unknown>;
        } catch (e) {
          throw failure(ctx, e);
        }
      };
    }
  }
  // The record has exactly the descriptor's methods, each with Connect's
  // signature for its kind; TypeScript cannot see that through the loop.
  return router.service(desc, impl as unknown as Partial<ServiceImpl<S>>);
}

async function contextOrThrow(hctx: HandlerContext, opts: ServeOptions): Promise<Context> {
  try {
    return await contextFromHandler(hctx, opts);
  } catch (e) {
    // An authenticator's rejection (or failure); no request context exists yet.
    if (!(e instanceof KitError)) opts.log.error({ err: e, procedure: `/${hctx.service.typeName}/${hctx.method.name}` }, "building the call context failed");
    throw toConnectError(e);
  }
}

/**
 * The ConnectError to send. A value that is not a KitError escaped every
 * middleware (no recover middleware was wired): it is logged here, since the
 * caller only learns "internal error".
 */
function failure(ctx: Context, e: unknown) {
  if (!(e instanceof KitError) && !ctx.signal.aborted) ctx.log.error({ err: e }, "endpoint threw a non-kit error");
  return toConnectError(e);
}
