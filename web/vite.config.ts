// Builds the studio into web/dist, which the server serves; `npm run dev:web` proxies the API
// to a server started separately on the default port.
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

/** Where `npm start` listens by default (server/src/limits.ts DEFAULT_PORT). */
const DEV_API_TARGET = 'http://127.0.0.1:7878';

const here = (path: string): string => fileURLToPath(new URL(path, import.meta.url));

export default defineConfig({
  root: here('.'),
  plugins: [svelte({ configFile: false })],
  resolve: {
    // Wire types only (`import type`), so zod and the server never reach the bundle.
    alias: { $wire: here('../server/src/wire') },
  },
  build: {
    outDir: here('dist'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 600,
  },
  server: {
    // changeOrigin rewrites Host to the API's own, which its Host allow-list requires.
    proxy: {
      '/api': { target: DEV_API_TARGET, changeOrigin: true, ws: true },
      '/healthz': { target: DEV_API_TARGET, changeOrigin: true },
    },
  },
});
