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
// Each method reads at most its contract's max_request_bytes
// (transport/limits.ts). Each unary method is also registered for the gRPC
// fast path (transport/grpc-unary.ts), which builds the same Context and runs
// the same endpoint through the two functions below.
import type { DescService } from "@bufbuild/protobuf";
import type { ConnectRouter, HandlerContext, MethodImpl } from "@connectrpc/connect";
import type { Context } from "../endpoints/context.js";
import { KitError } from "../endpoints/errors.js";
import type { EndpointSet } from "../endpoints/service.js";
import { contextFromRequest, requestOfHandler, type HandlerContextOptions, type IncomingRequest } from "./context.js";
import { markImplementationRan } from "./decode-errors.js";
import { toConnectError } from "./errors.js";
import { registerUnaryRoute } from "./grpc-unary.js";
import { maxRequestBytes } from "./limits.js";

export type ServeOptions = HandlerContextOptions;

type UnaryImpl = (req: unknown, hctx: HandlerContext) => Promise<unknown>;
type StreamImpl = (req: unknown, hctx: HandlerContext) => AsyncIterable<unknown>;

export function serveService<S extends DescService>(
  router: ConnectRouter,
  desc: S,
  endpoints: EndpointSet,
  opts: ServeOptions,
): ConnectRouter {
  for (const method of desc.methods) {
    const wired = endpoints.get(method.localName);
    if (!wired) throw new Error(`/${desc.typeName}/${method.name} has no endpoint`);
    const { info, endpoint } = wired;
    let impl: UnaryImpl | StreamImpl;
    if (info.kind === "unary") {
      const context = (call: IncomingRequest) => contextOrThrow(call, opts);
      const invoke = async (ctx: Context, req: unknown) => {
        try {
          return await endpoint(ctx, req);
        } catch (e) {
          throw failure(ctx, e);
        }
      };
      impl = async (req, hctx) => {
        markImplementationRan(hctx);
        return invoke(await context(requestOfHandler(hctx)), req);
      };
      registerUnaryRoute(router, { method, maxRequestBytes: maxRequestBytes(method), context, invoke });
    } else {
      impl = async function* (req, hctx) {
        markImplementationRan(hctx);
        const ctx = await contextOrThrow(requestOfHandler(hctx), opts);
        try {
          yield* (await endpoint(ctx, req)) as AsyncIterable<unknown>;
        } catch (e) {
          throw failure(ctx, e);
        }
      };
    }
    // impl has Connect's signature for the method's kind; TypeScript cannot see that through the loop.
    router.rpc(method, impl as unknown as MethodImpl<typeof method>, { readMaxBytes: maxRequestBytes(method) });
  }
  return router;
}

async function contextOrThrow(call: IncomingRequest, opts: ServeOptions): Promise<Context> {
  try {
    return await contextFromRequest(call, opts);
  } catch (e) {
    // An authenticator's rejection (or failure); no request context exists yet.
    if (!(e instanceof KitError)) opts.log.error({ err: e, procedure: `/${call.method.parent.typeName}/${call.method.name}` }, "building the call context failed");
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
