// Version probing: cached per binary path and mtime, so a repeated GET /api/lsp spawns nothing.
import { chmodSync, readFileSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ServerLocator } from '../../server/src/lsp/locate.js';
import { ManagedPrefix } from '../../server/src/lsp/prefix.js';
import { tempDir } from '../helpers/temp.js';
import { spec } from './fixtures.js';

const bin = tempDir('atelier-lsp-bin-');
afterAll(() => bin.remove());

describe('reading versions', () => {
  it('runs the version command once per binary until the binary changes', async () => {
    const counter = join(bin.dir, 'runs');
    writeFileSync(counter, '');
    const script = join(bin.dir, 'fake-ls');
    writeFileSync(script, `#!/bin/sh\necho x >> ${counter}\necho "fake-ls 2.4.1"\n`);
    chmodSync(script, 0o755);
    const locator = new ServerLocator(new ManagedPrefix(join(bin.dir, 'prefix')), { env: { PATH: bin.dir } });
    const server = spec({ id: 'fake', command: 'fake-ls', version_args: ['--version'] });
    const location = await locator.locate(server, {});
    expect(location).toEqual({ source: 'path', path: script, managed: null });
    expect(await locator.version(server, location!)).toEqual({ version: '2.4.1', error: null });
    expect(await locator.version(server, location!)).toEqual({ version: '2.4.1', error: null });
    expect(readFileSync(counter, 'utf8')).toBe('x\n');
    utimesSync(script, new Date(), new Date(Date.now() + 5_000));
    await locator.version(server, location!);
    expect(readFileSync(counter, 'utf8')).toBe('x\nx\n');
  });

  it('says why a version could not be read', async () => {
    const script = join(bin.dir, 'broken-ls');
    writeFileSync(script, '#!/bin/sh\necho "unknown flag" >&2\nexit 2\n');
    chmodSync(script, 0o755);
    const locator = new ServerLocator(new ManagedPrefix(join(bin.dir, 'prefix')), { env: { PATH: bin.dir } });
    const server = spec({ id: 'broken', command: 'broken-ls', version_args: ['--version'] });
    expect(await locator.version(server, (await locator.locate(server, {}))!)).toEqual({ version: null, error: '--version exited with 2: unknown flag' });
  });

  it('prefers the binary the manifest records over one on PATH', async () => {
    const managed = join(bin.dir, 'managed-fake-ls');
    writeFileSync(managed, '#!/bin/sh\necho 9.9.9\n');
    chmodSync(managed, 0o755);
    const locator = new ServerLocator(new ManagedPrefix(join(bin.dir, 'prefix')), { env: { PATH: bin.dir } });
    const entry = { method: 'npm' as const, path: managed, version: '9.9.9', spec: 'fake@1', installed_at: '2026-01-01T00:00:00.000Z' };
    const location = await locator.locate(spec({ id: 'fake', command: 'fake-ls' }), { fake: entry });
    expect(location).toEqual({ source: 'managed', path: managed, managed: entry });
  });
});
