// Builds the traveller's app into web/dist, which the BFF (services/web) serves
// on the same origin as its API. `make web-dev` runs Vite's dev server with the
// API proxied to a BFF on 8080, so pages reload as they are edited.
import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

const webRoot = new URL(".", import.meta.url).pathname;
const repoRoot = new URL("..", import.meta.url).pathname;
const bff = process.env.WEB_BFF_URL ?? "http://127.0.0.1:8080";

export default defineConfig({
  root: webRoot,
  base: "/",
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    // The CSP is self-only: no inline script, so no injected preload polyfill.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    sourcemap: true,
  },
  server: {
    host: "127.0.0.1",
    // The app imports the generated descriptors from ../gen.
    fs: { allow: [repoRoot] },
    proxy: { "/itinera.web.v1.WebService/": { target: bff, changeOrigin: false } },
  },
});
