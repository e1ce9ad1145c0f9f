/**
 * Vite builds and serves the explorer page: index.html → src/page/main.ts, its Web Worker (src/worker.ts) as an
 * ES module chunk, @dtd/import in a chunk of its own (loaded when a TF.js or ONNX file is opened). The output is
 * static files with no inline script, so the page runs under a strict Content-Security-Policy.
 */
import { fileURLToPath } from "node:url";
import { defineConfig } from "vite";

export default defineConfig({
  root: fileURLToPath(new URL(".", import.meta.url)),
  base: "./",
  worker: { format: "es" },
  build: { outDir: "dist", emptyOutDir: true, target: "es2022", chunkSizeWarningLimit: 2048 },
  server: { port: 5173 },
});
