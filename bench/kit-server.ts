// The server side of `make bench` (bench/kit-overhead.ts starts it as its own
// process). It serves the same wallet implementation three ways, on three ports:
// - "kit": endpointsOf + the full server middleware stack + serveService +
//   startServer, exactly as services/wallet/main.ts wires it;
// - "raw": the same handler functions registered directly on a connect-node
//   router on a bare HTTP/2 server, with no kit at all;
// - "stack": the kit's endpoints (the same middleware stack as "kit") called
//   from the same bare server with raw's minimal context plus the request and
//   trace ids the caller sent (bound to the logger as the transport binds
//   them): the endpoint layer's cost without the kit's transport.
// Echo (no I/O) is served the same three ways, to see the kit's cost alone.
// The kit wallet authenticates as main.ts does, with testTokens standing in
// for identity: GetBalance (the call measured) and Credit (to seed) take the
// operator's service token, so the kit's cost includes verifying it; the raw
// and stack handlers get the same principal without a token. Sends {"kit":
// port, "stack": port, "raw": port, "token": the operator's token} to its
// parent (IPC) when all listen.
import http2 from "node:http2";
import type { HandlerContext } from "@connectrpc/connect";
import { connectNodeAdapter } from "@connectrpc/connect-node";
import { backgroundContext, parseTraceparent, type Context } from "../endpoints/context.js";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { EchoService, type EchoRequest, type EchoResponse, type EchoResponseSchema } from "../gen/itinera/echo/v1/echo_pb.js";
import { WalletService, type GetBalanceRequest, type GetBalanceResponse, type GetBalanceResponseSchema } from "../gen/itinera/wallet/v1/wallet_pb.js";
import { serveService } from "../transport/serve.js";
import { startServer } from "../transport/server.js";
import { testTokens } from "../services/identity/testing.js";
import { kitHandlers } from "./kit-handlers.js";

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error("bench/kit-server.ts needs DATABASE_URL (bench/kit-overhead.ts sets it)");

const { log, registry, db, wallet, echo, walletEndpoints, echoEndpoints } = await kitHandlers("bench", databaseUrl);
const tokens = await testTokens();
const kit = await startServer({
  port: 0,
  log,
  metrics: registry,
  routes: (router) => {
    serveService(router, WalletService, walletEndpoints, { log, authenticate: tokens.authenticate });
    serveService(router, EchoService, echoEndpoints, { log });
  },
});

// The bare baseline: connect-node's adapter on node:http2, handlers called with a minimal context.
const rawContext = () => backgroundContext({ log, principal: { kind: "service", id: "operator", roles: [] } });
const raw = await bareServer({
  getBalance: (req) => wallet.getBalance(rawContext(), req),
  echo: (req) => echo.echo(rawContext(), req),
});
// The same bare server calling the kit's endpoints (middleware stack included),
// with raw's principal and the ids the caller sent, bound as the transport binds them.
const stackContext = (hctx: HandlerContext): Context => {
  const requestId = hctx.requestHeader.get("x-request-id") ?? crypto.randomUUID();
  const trace = parseTraceparent(hctx.requestHeader.get("traceparent"));
  const ids = trace ? { request_id: requestId, trace_id: trace.traceId } : { request_id: requestId };
  return { ...rawContext(), requestId, trace, log: log.child(ids) };
};
const stack = await bareServer({
  getBalance: (req, hctx) => walletEndpoints.get("getBalance")!.endpoint(stackContext(hctx), req) as Promise<GetBalanceResponse>,
  echo: (req, hctx) => echoEndpoints.get("echo")!.endpoint(stackContext(hctx), req) as Promise<EchoResponse>,
});

process.send!({ kit: kit.port, raw: raw.port, stack: stack.port, token: (await tokens.service("operator", 3600)).token });
process.on("SIGTERM", async () => {
  await kit.close(1000);
  raw.server.close();
  stack.server.close();
  await db.close();
  process.exit(0);
});

async function bareServer(handlers: {
  getBalance: (req: GetBalanceRequest, hctx: HandlerContext) => Promise<MessageInitShape<typeof GetBalanceResponseSchema>>;
  echo: (req: EchoRequest, hctx: HandlerContext) => Promise<MessageInitShape<typeof EchoResponseSchema>>;
}) {
  const server = http2.createServer(
    connectNodeAdapter({
      routes: (router) => {
        router.service(WalletService, { getBalance: handlers.getBalance });
        router.service(EchoService, { echo: handlers.echo });
      },
    }),
  );
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return { server, port: (server.address() as { port: number }).port };
}
