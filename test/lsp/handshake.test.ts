// The handshake on its own: servers that cannot start, and the capability summary.
import { describe, expect, it } from 'vitest';
import { handshake, summarizeCapabilities } from '../../server/src/lsp/handshake.js';

describe('the LSP handshake', () => {
  it('reports a binary that cannot be started, without waiting for the timeout', async () => {
    const started = Date.now();
    const result = await handshake({ file: '/nonexistent/atelier-ls', args: [], env: process.env, timeoutMs: 10_000, clientVersion: 'test' });
    expect(result).toMatchObject({ ok: false, timed_out: false, latency_ms: null });
    expect(result.error).toMatch(/^could not start \/nonexistent\/atelier-ls: spawn \/nonexistent\/atelier-ls ENOENT$/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('summarizes capabilities as the truthy provider keys, sorted', () => {
    expect(summarizeCapabilities({ textDocumentSync: 2, hoverProvider: true, completionProvider: {}, renameProvider: false, definitionProvider: { workDoneProgress: true }, workspace: {} })).toEqual(['completionProvider', 'definitionProvider', 'hoverProvider']);
    expect(summarizeCapabilities(undefined)).toEqual([]);
  });
});
