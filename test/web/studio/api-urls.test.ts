// The typed client's URLs (web/src/lib/api.ts): a route's :params filled in and encoded, its
// query appended without the values left undefined; the export links are built the same way.
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../../web/src/lib/i18n.svelte', () => ({ t: (key: string) => key }));

const { hrefOf, urlOf } = await import('../../../web/src/lib/api');

describe('urlOf / hrefOf', () => {
  it('fills and encodes path params', () => {
    expect(urlOf('/api/conversations/:id', { params: { id: 'a b/../c' } })).toBe('/api/conversations/a%20b%2F..%2Fc');
  });

  it('appends the query, leaving out undefined values, and encodes it', () => {
    expect(hrefOf('/api/conversations/export', { query: { id: 'x&y=z' } })).toBe('/api/conversations/export?id=x%26y%3Dz');
    expect(urlOf('/api/mcp/status', { query: { project_dir: undefined } })).toBe('/api/mcp/status');
  });

  it('refuses a path whose param was not given, rather than calling another route', () => {
    expect(() => urlOf('/api/conversations/:id', {})).toThrow(':id');
  });
});
