// A built single-page app (the BFF serves web/dist) on the API's port: GET or
// HEAD of any path that is not an RPC answers the file, or index.html for an
// app route ("/trips/return?…": the single-page app's fallback). Hashed assets
// (/assets/index-B3x9kq2Z.js) are cached for a year, immutable; index.html
// and other files are revalidated every time (no-cache, with an ETag). A
// missing path with a file extension is a 404 rather than the app's HTML.
// Every answer carries the security headers (CSP: this origin only, plus the
// card gateway for forms; nosniff; a referrer policy; no framing). Without a
// built app, the pages answer a short HTML note saying to run `make web`.
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { extname, join, resolve, sep } from "node:path";
import { pipeline } from "node:stream/promises";
import type { Logger } from "pino";
import { percentDecoded, pathOf, writeHead, type Request, type Response } from "./http-route.js";


const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".mjs": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".json": "application/json; charset=utf-8",
  ".map": "application/json; charset=utf-8",
  ".webmanifest": "application/manifest+json; charset=utf-8",
  ".txt": "text/plain; charset=utf-8",
  ".svg": "image/svg+xml",
  ".png": "image/png",
  ".jpg": "image/jpeg",
  ".jpeg": "image/jpeg",
  ".gif": "image/gif",
  ".webp": "image/webp",
  ".avif": "image/avif",
  ".ico": "image/x-icon",
  ".woff": "font/woff",
  ".woff2": "font/woff2",
};

/** "/itinera.web.v1.WebService/GetSession": a procedure, for the RPC router (Connect GET included). */
const RPC_PATH = /^\/[A-Za-z_]\w*(\.[A-Za-z_]\w*)+\/[A-Za-z_]\w*$/;
/** Vite's content-hashed file names: "index-B3x9kq2Z.js". */
const HASHED_ASSET = /^\/assets\/.+-[A-Za-z0-9_-]{8,}\.[a-z0-9]+$/;

export interface StaticOptions {
  /** The built app's directory (web/dist). */
  dist: string;
  /** The card gateway's origin ("http://127.0.0.1:7110"), allowed as a form target. */
  gatewayOrigin: string;
  log: Logger;
}

/** The Content-Security-Policy of the app's pages. */
export function contentSecurityPolicy(gatewayOrigin: string): string {
  return [
    "default-src 'self'",
    "script-src 'self'",
    // React sets style properties through the DOM (not blocked); inline <style> stays possible.
    "style-src 'self' 'unsafe-inline'",
    // Hotel pictures come from the sellers' image hosts.
    "img-src 'self' data: https:",
    "font-src 'self' data:",
    "connect-src 'self'",
    `form-action 'self' ${gatewayOrigin}`,
    "frame-ancestors 'none'",
    "base-uri 'self'",
    "object-src 'none'",
  ].join("; ");
}

/** The `http` hook of startServer: answers the app's files and returns true, or false for the RPC router. */
export function staticFiles(opts: StaticOptions): (req: Request, res: Response) => boolean {
  const root = resolve(opts.dist);
  const security = {
    "Content-Security-Policy": contentSecurityPolicy(new URL(opts.gatewayOrigin).origin),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "DENY",
  };
  const answer = (req: Request, res: Response, status: number, type: string, body: string, extra: Record<string, string> = {}) => {
    writeHead(res, status, { ...security, "Content-Type": type, "Cache-Control": "no-cache", "Content-Length": String(Buffer.byteLength(body)), ...extra });
    if (req.method === "HEAD") res.end();
    else res.end(body);
  };

  async function serve(req: Request, res: Response, path: string): Promise<void> {
    const file = fileOf(root, path);
    if (file === undefined) return answer(req, res, 400, "text/plain; charset=utf-8", "bad path\n");
    const found = await regularFile(file);
    if (found) return send(req, res, file, found, HASHED_ASSET.test(path));
    if (extname(path) !== "") return answer(req, res, 404, "text/plain; charset=utf-8", "not found\n");
    const index = join(root, "index.html");
    const app = await regularFile(index);
    if (!app) return answer(req, res, 503, "text/html; charset=utf-8", NOT_BUILT);
    return send(req, res, index, app, false);
  }

  async function send(req: Request, res: Response, file: string, info: { size: number; mtimeMs: number }, immutable: boolean) {
    const etag = `W/"${info.size.toString(16)}-${Math.floor(info.mtimeMs).toString(16)}"`;
    const headers = {
      ...security,
      "Content-Type": TYPES[extname(file).toLowerCase()] ?? "application/octet-stream",
      "Cache-Control": immutable ? "public, max-age=31536000, immutable" : "no-cache",
      ETag: etag,
    };
    if (req.headers["if-none-match"] === etag) {
      writeHead(res, 304, headers);
      res.end();
      return;
    }
    writeHead(res, 200, { ...headers, "Content-Length": String(info.size) });
    if (req.method === "HEAD") {
      res.end();
      return;
    }
    await pipeline(createReadStream(file), res as NodeJS.WritableStream);
  }

  return (req, res) => {
    if (req.method !== "GET" && req.method !== "HEAD") return false;
    const path = pathOf(req);
    if (RPC_PATH.test(path)) return false;
    serve(req, res, path).catch((e: unknown) => {
      opts.log.warn({ err: e instanceof Error ? e.message : String(e), path }, "static file not served");
      if (!res.headersSent) answer(req, res, 500, "text/plain; charset=utf-8", "internal error\n");
      else res.destroy();
    });
    return true;
  };
}

/** The file a URL path names inside root; undefined for a path that is malformed or leaves root. */
function fileOf(root: string, urlPath: string): string | undefined {
  const path = percentDecoded(urlPath);
  if (path === undefined || path.includes("\0") || path.split("/").some((part) => part.startsWith("."))) return undefined;
  const file = resolve(root, `.${path}`);
  return file === root || file.startsWith(root + sep) ? file : undefined;
}

async function regularFile(file: string): Promise<{ size: number; mtimeMs: number } | undefined> {
  const info = await stat(file).catch(() => undefined);
  return info?.isFile() ? { size: info.size, mtimeMs: info.mtimeMs } : undefined;
}

const NOT_BUILT = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Itinera</title></head>
<body><h1>The web app is not built yet</h1>
<p>Run <code>make web</code> in the repository, then reload this page. The API answers on this port meanwhile.</p>
</body></html>
`;
