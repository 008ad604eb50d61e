import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  // The studio's alias for the wire folder (web/vite.config.ts), so test/web can load studio modules.
  resolve: { alias: { $wire: fileURLToPath(new URL('./server/src/wire', import.meta.url)) } },
  test: {
    include: ['test/**/*.test.ts'],
    globalSetup: ['test/helpers/global-setup.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Integration tests spawn real servers and processes; two cores share them.
    maxWorkers: 2,
    reporters: ['default'],
    // Every answer and SSE event is held to its route's schema (server/src/http/response-check.ts);
    // servers the tests spawn inherit it.
    env: { ATELIER_CHECK_RESPONSES: '1' },
  },
});
