// capabilities.ts: the list app.ts assembles. A lazy capability's migrations are listed there (they
// run at start) and its code comes later; the two must agree, or the load is refused.
import { describe, expect, it } from 'vitest';
import { capabilities, lazy } from '../server/src/capabilities.js';
import type { Migration } from '../server/src/db/database.js';

const guard = { token: 't'.repeat(32), port: () => 0, hostnames: new Set(['127.0.0.1']) };

describe('capabilities', () => {
  it('names each capability once', () => {
    const names = capabilities(guard).map((c) => c.name);
    expect(new Set(names).size).toBe(names.length);
    expect(names).toHaveLength(12);
  });

  it('loads, for each lazy capability, code with the name and the very migrations the list applies at start', async () => {
    const onDemand = capabilities(guard).filter((c) => 'load' in c);
    expect(onDemand.map((c) => c.name)).toEqual(['providers', 'permissions', 'tools', 'chat', 'workflow', 'skills', 'lsp', 'mcp']);
    for (const capability of onDemand) {
      const loaded = await capability.load();
      expect(loaded.name).toBe(capability.name);
      expect(loaded.migrations ?? []).toEqual(capability.migrations);
    }
  });

  it('refuses code whose name or migrations differ from the listing', async () => {
    const listed: Migration = { id: 'x-1', up: () => {} };
    const code = (name: string, migrations: Migration[]) => async () => ({ name, migrations, register: () => {} });
    await expect(lazy('x', [listed], ['/x'], code('x', [listed])).load()).resolves.toMatchObject({ name: 'x' });
    await expect(lazy('x', [listed], ['/x'], code('y', [listed])).load()).rejects.toThrow('capabilities.ts lists x with another name or other migrations');
    await expect(lazy('x', [listed], ['/x'], code('x', [])).load()).rejects.toThrow('other migrations');
    await expect(lazy('x', [listed], ['/x'], code('x', [{ ...listed }])).load()).rejects.toThrow('other migrations');
  });
});
