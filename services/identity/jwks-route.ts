// GET /.well-known/jwks.json as plain HTTP beside the RPCs (startServer's
// `http` option), for verifiers that fetch keys the standard way. Encode only.
import { pathOf } from "../../transport/http-route.js";
import type { ServerOptions } from "../../transport/server.js";
import type { JSONWebKeySet } from "jose";

export const JWKS_PATH = "/.well-known/jwks.json";

export function jwksRoute(jwks: () => JSONWebKeySet): NonNullable<ServerOptions["http"]> {
  return (req, response) => {
    // Both HTTP/1.1 and HTTP/2 responses have these two; their overloads differ.
    const res = response as { writeHead(status: number, headers: Record<string, string>): unknown; end(body?: string): unknown };
    const path = pathOf(req);
    if (path !== JWKS_PATH) return false;
    if (req.method !== "GET" && req.method !== "HEAD") {
      res.writeHead(405, { allow: "GET, HEAD" });
      res.end();
      return true;
    }
    const body = JSON.stringify(jwks());
    res.writeHead(200, { "content-type": "application/jwk-set+json", "cache-control": "public, max-age=300" });
    res.end(req.method === "HEAD" ? undefined : body);
    return true;
  };
}
