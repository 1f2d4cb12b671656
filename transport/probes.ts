// The plain-HTTP routes every server answers beside its RPCs:
//   GET /healthz  200 "ok" while the process is up (liveness)
//   GET /readyz   200 "ready" when the readiness check passes; 503 and the
//                 reason when it fails or the server is shutting down
//   GET /metrics  the prom-client registry in Prometheus' text format (404
//                 when the server has no registry)
//
//   const probes = probeHandler({ readiness, metrics });
//   if (!probes(req, res)) rpcHandler(req, res);
import type { Registry } from "prom-client";
import type { RequestHandler } from "./http-listener.js";
import { pathOf, writeHead } from "./http-route.js";
import type { Readiness } from "./readiness.js";

export interface ProbeOptions {
  readiness: Readiness;
  metrics?: Registry;
}

/** Answers the probe routes; returns false for any other request. */
export function probeHandler(opts: ProbeOptions): (...args: Parameters<RequestHandler>) => boolean {
  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = pathOf(req);
    const send = (status: number, body: string, contentType = "text/plain; charset=utf-8") => {
      writeHead(res, status, { "content-type": contentType, "cache-control": "no-store" });
      if (req.method === "HEAD") res.end();
      else res.end(body);
    };
    switch (path) {
      case "/healthz":
        send(200, "ok\n");
        return true;
      case "/readyz":
        opts.readiness.status().then(
          ({ ready, reason }) => send(ready ? 200 : 503, `${reason}\n`),
          (e: unknown) => send(503, `readiness check failed: ${String(e)}\n`),
        );
        return true;
      case "/metrics":
        if (!opts.metrics) send(404, "no metrics here\n");
        else {
          const registry = opts.metrics;
          registry.metrics().then(
            (text) => send(200, text, registry.contentType),
            () => send(500, "collecting metrics failed\n"),
          );
        }
        return true;
      default:
        return false;
    }
  };
}
