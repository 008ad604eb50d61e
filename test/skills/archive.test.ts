// Export and import of skill archives: a round trip keeps every byte; an archive that escapes
// its folder, links, inflates past the caps or is not a zip is refused and leaves nothing behind.
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import yauzl from 'yauzl';
import yazl from 'yazl';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, filesIn, minimalSkill, rawZip, skillMd, tree } from './fixtures.js';

const home = tempDir('atelier-skills-home-');
process.env.HOME = home.dir;

const ROOT = join(import.meta.dirname, '..', '..');
const MB = 1024 * 1024;

// The bombs are built before the server starts: deflating 100 MB blocks the event loop this
// test shares with the server, and an idle keep-alive socket could expire under a request.
const BOMB = await yazlZip({ 'bomb/SKILL.md': minimalSkill('bomb'), 'bomb/assets/zeros.bin': Buffer.alloc(100 * MB) });
const LYING_BOMB = rawZip([{ name: 'liar/SKILL.md', data: minimalSkill('liar') }, { name: 'liar/assets/small.txt', data: Buffer.alloc(100 * MB), declaredSize: 1000 }]);

let server: TestServer;
let imported: string;
let staging: string;

beforeAll(async () => {
  server = await startTestServer();
  imported = join(server.home, 'skills');
  staging = join(server.home, 'skills-staging');
});
afterAll(async () => {
  await server.close();
  home.remove();
});

/** A zip built with yazl from (name → content) pairs. */
function yazlZip(files: Record<string, Buffer | string>, mode?: number): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name, mode === undefined ? {} : { mode });
  zip.end();
  return streamToBuffer(zip.outputStream as Readable);
}

async function streamToBuffer(stream: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

const importZip = (zip: Buffer, extra: Record<string, unknown> = {}) => call(server, 'POST', '/api/skills/import', { data: zip.toString('base64'), ...extra });

/** Every entry of a zip: name, unix mode and content. */
async function unzip(zip: Buffer): Promise<{ name: string; mode: number; data: Buffer }[]> {
  const file = await yauzl.fromBufferPromise(zip, { lazyEntries: true });
  const out: { name: string; mode: number; data: Buffer }[] = [];
  for await (const entry of file.eachEntry()) {
    out.push({ name: entry.fileName, mode: entry.externalFileAttributes >>> 16, data: await streamToBuffer(await file.openReadStreamPromise(entry)) });
  }
  return out;
}

describe('GET /api/skills/export and POST /api/skills/import', () => {
  it('exports a built-in skill as a zip of its files under <name>/, exec bits kept', async () => {
    const res = await server.fetch('/api/skills/export?name=shell-script-hardening');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/zip');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="shell-script-hardening.zip"');
    const entries = await unzip(Buffer.from(await res.arrayBuffer()));
    const source = join(ROOT, 'skills', 'shell-script-hardening');
    expect(entries.map((e) => e.name)).toEqual(filesIn(source).map((p) => `shell-script-hardening/${p}`));
    for (const e of entries) expect(e.data.equals(readFileSync(join(source, e.name.slice('shell-script-hardening/'.length)))), e.name).toBe(true);
    expect(entries.find((e) => e.name.endsWith('check.sh'))!.mode & 0o111).toBe(0o111);
    expect(entries.find((e) => e.name.endsWith('SKILL.md'))!.mode & 0o111).toBe(0);
    expect((await server.fetch('/api/skills/export?name=nope')).status).toBe(404);
  });

  it('refuses to import a skill named like a built-in (409), writing nothing', async () => {
    const zip = Buffer.from(await (await server.fetch('/api/skills/export?name=code-review')).arrayBuffer());
    const { status, json } = await importZip(zip);
    expect(status).toBe(409);
    expect(json.code).toBe('SKILL_BUILTIN');
    expect(tree(imported)).toEqual([]);
    expect(tree(staging)).toEqual([]);
  });

  it('round-trips: import, export, delete, import the export; listed, every byte and exec bit the same', async () => {
    const files = {
      'SKILL.md': Buffer.from(skillMd('name: round-trip\ndescription: A round trip. Use when testing.', 'Run `sh scripts/go.sh`, then fill assets/data.bin.\n')),
      'scripts/go.sh': Buffer.from('#!/bin/sh\necho go\n'),
      'assets/data.bin': Buffer.from([0, 1, 2, 255, 0x50, 0x4b]),
    };
    const zip = new yazl.ZipFile();
    for (const [p, data] of Object.entries(files)) zip.addBuffer(data, `round-trip/${p}`, { mode: p.endsWith('.sh') ? 0o100755 : 0o100644 });
    zip.end();
    const first = await importZip(await streamToBuffer(zip.outputStream as Readable));
    expect(first.status, JSON.stringify(first.json)).toBe(200);
    expect(first.json).toMatchObject({ replaced: false, validation: { valid: true }, skill: { name: 'round-trip', source: 'imported', files: 3 } });

    const exported = Buffer.from(await (await server.fetch('/api/skills/export?name=round-trip')).arrayBuffer());
    expect((await call(server, 'DELETE', '/api/skills/round-trip')).json).toEqual({ deleted: true });
    expect(existsSync(join(imported, 'round-trip'))).toBe(false);

    const again = await importZip(exported);
    expect(again.status, JSON.stringify(again.json)).toBe(200);
    const dest = join(imported, 'round-trip');
    expect(filesIn(dest)).toEqual(Object.keys(files).sort());
    for (const [p, data] of Object.entries(files)) expect(readFileSync(join(dest, p)).equals(data), p).toBe(true);
    expect(statSync(join(dest, 'scripts', 'go.sh')).mode & 0o100).not.toBe(0);
    expect(statSync(join(dest, 'assets', 'data.bin')).mode & 0o100).toBe(0);
    const listed = (await call(server, 'GET', '/api/skills')).json.skills.find((s: any) => s.name === 'round-trip');
    expect(listed).toMatchObject({ source: 'imported', files: 3, validation: { valid: true }, dir: dest });

    expect((await importZip(exported)).json.code).toBe('SKILL_EXISTS');
    const replaced = await importZip(exported, { overwrite: true });
    expect(replaced.status).toBe(200);
    expect(replaced.json.replaced).toBe(true);
    expect(filesIn(dest)).toEqual(Object.keys(files).sort());
    expect(tree(staging)).toEqual([]);
  });

  it('takes the name from the front matter when SKILL.md is at the top of the archive', async () => {
    const { status, json } = await importZip(await yazlZip({ 'SKILL.md': minimalSkill('flat-archive'), 'references/a.md': 'a' }));
    expect(status, JSON.stringify(json)).toBe(200);
    expect(filesIn(join(imported, 'flat-archive'))).toEqual(['SKILL.md', 'references/a.md']);
  });

  it('deletes an imported skill, and never a built-in one', async () => {
    expect((await call(server, 'DELETE', '/api/skills/flat-archive')).json).toEqual({ deleted: true });
    expect(existsSync(join(imported, 'flat-archive'))).toBe(false);
    expect((await call(server, 'DELETE', '/api/skills/code-review')).json.code).toBe('SKILL_BUILTIN');
  });
});

describe('import refusals leave nothing behind', () => {
  let before: string[];
  beforeAll(() => {
    before = tree(imported);
  });
  afterEach(() => {
    expect(tree(imported)).toEqual(before);
    expect(tree(staging)).toEqual([]);
  });

  it('refuses an entry that climbs out with ../', async () => {
    const zip = rawZip([{ name: 'evil/SKILL.md', data: minimalSkill('evil') }, { name: 'evil/../../escaped.txt', data: Buffer.from('x') }]);
    const { status, json } = await importZip(zip);
    expect(status).toBe(422);
    expect(json.code).toBe('ARCHIVE_UNSAFE');
    expect(json.error).toMatch(/\.\./);
    expect(existsSync(join(server.home, 'escaped.txt'))).toBe(false);
  });

  it.each(['/etc/evil.txt', 'C:/evil.txt', 'evil\\..\\..\\x.txt'])('refuses the absolute or Windows path %s', async (name) => {
    const zip = rawZip([{ name: 'evil/SKILL.md', data: minimalSkill('evil') }, { name, data: Buffer.from('x') }]);
    const { status, json } = await importZip(zip);
    expect(status).toBe(422);
    expect(json.code).toBe('ARCHIVE_UNSAFE');
  });

  it('refuses a symbolic link entry', async () => {
    const zip = rawZip([
      { name: 'linky/SKILL.md', data: minimalSkill('linky') },
      { name: 'linky/secrets', data: Buffer.from('/etc/shadow'), method: 0, unixMode: 0o120777 },
    ]);
    const { status, json } = await importZip(zip);
    expect(status).toBe(422);
    expect(json).toMatchObject({ code: 'ARCHIVE_UNSAFE', error: expect.stringMatching(/symbolic link/) });
  });

  it('refuses 100 MB of zeros (about 100 KB deflated) from its declared size, before inflating', async () => {
    expect(BOMB.length).toBeLessThan(200 * 1024);
    const { status, json } = await importZip(BOMB);
    expect(status).toBe(413);
    expect(json.code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('stops 100 MB of zeros whose header claims 1000 bytes while inflating, right after the claimed size', async () => {
    expect(LYING_BOMB.length).toBeLessThan(200 * 1024);
    const { status, json } = await importZip(LYING_BOMB);
    expect(status).toBe(422);
    expect(json.code).toBe('ARCHIVE_INVALID');
    expect(json.error).toMatch(/small\.txt.*different amount of data than it declares/);
  });

  it('answers 413 for an upload over 10 MB', async () => {
    const { status, json } = await importZip(Buffer.alloc(10 * MB + 1, 7));
    expect(status).toBe(413);
    expect(json.code).toBe('ARCHIVE_TOO_LARGE');
  });

  it('answers 413 for a body past the route limit', async () => {
    const res = await server.fetch('/api/skills/import', { method: 'POST', body: JSON.stringify({ data: 'A'.repeat(15 * MB) }) });
    expect(res.status).toBe(413);
  });

  it('refuses data that is not a zip, and data that is not base64', async () => {
    const notZip = await importZip(Buffer.from('this is not a zip archive at all'));
    expect(notZip.status).toBe(422);
    expect(notZip.json.code).toBe('ARCHIVE_INVALID');
    expect((await call(server, 'POST', '/api/skills/import', { data: 'data:application/zip;base64,AAAA' })).status).toBe(400);
  });

  it('refuses an archive with two skills, or none', async () => {
    const two = await importZip(await yazlZip({ 'one/SKILL.md': minimalSkill('one'), 'two/SKILL.md': minimalSkill('two') }));
    expect(two.json.code).toBe('ARCHIVE_LAYOUT');
    const none = await importZip(await yazlZip({ 'docs/README.md': 'hello' }));
    expect(none.json.code).toBe('ARCHIVE_LAYOUT');
  });

  it('refuses a skill that fails validation, with its errors, after unpacking it in staging', async () => {
    const { status, json } = await importZip(await yazlZip({ 'not-valid/SKILL.md': minimalSkill('other-name'), 'not-valid/x.txt': 'x' }));
    expect(status).toBe(422);
    expect(json.code).toBe('SKILL_INVALID');
    expect(json.issues.map((i: any) => i.path)).toContain('name');
  });

  it('refuses an archive with too many entries', async () => {
    const files: Record<string, string> = { 'many/SKILL.md': minimalSkill('many').toString() };
    for (let i = 0; i < 600; i++) files[`many/assets/f${i}.txt`] = String(i);
    const { status, json } = await importZip(await yazlZip(files));
    expect(status).toBe(413);
    expect(json.error).toMatch(/entries/);
  });
});

