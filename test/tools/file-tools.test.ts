import { mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { SEARCH_FILES_MAX_MATCHES } from '../../server/src/limits.js';
import { runInWorker } from '../../server/src/tools/search-tool.js';
import { globToRegExp } from '../../server/src/tools/search-core.js';
import { repoRoot, scratchDir, testToolbox } from './fixtures.js';

function setup() {
  const root = scratchDir();
  const outside = scratchDir('atelier-tools-outside-');
  writeFileSync(join(outside, 'secret.txt'), 'not yours\n');
  const { toolbox } = testToolbox({ root });
  return { root, outside, toolbox };
}

describe('read_file', () => {
  it('returns a text file whole', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'notes.txt'), 'first\nsecond\n');
    expect(await toolbox.call('read_file', { path: 'notes.txt' })).toEqual({ content: 'first\nsecond', is_error: false });
  });

  it('returns a window of lines and says how to read on', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'n.txt'), Array.from({ length: 10 }, (_, i) => `line ${i + 1}`).join('\n'));
    const result = await toolbox.call('read_file', { path: join(root, 'n.txt'), offset: 3, limit: 2 });
    expect(result.content).toBe('line 3\nline 4\n[lines 3–4 of 10; call again with offset=5 to read on]');
  });

  it('says clearly that a missing file does not exist', async () => {
    const { toolbox } = setup();
    expect(await toolbox.call('read_file', { path: 'nope.txt' })).toEqual({ content: 'No such file or directory: nope.txt', is_error: true, code: 'NOT_FOUND' });
  });

  it('says that a directory is a directory', async () => {
    const { root, toolbox } = setup();
    mkdirSync(join(root, 'src'));
    expect(await toolbox.call('read_file', { path: 'src' })).toMatchObject({ is_error: true, code: 'IS_A_DIRECTORY', content: expect.stringContaining('use list_dir') });
  });

  it('refuses a path outside the home directory', async () => {
    const { outside, toolbox } = setup();
    const result = await toolbox.call('read_file', { path: join(outside, 'secret.txt') });
    expect(result).toMatchObject({ is_error: true, code: 'PATH_OUTSIDE_ROOT', content: expect.stringContaining('outside') });
    expect(result.content).not.toContain('not yours');
  });

  it('refuses a symlink inside home that points outside it', async () => {
    const { root, outside, toolbox } = setup();
    symlinkSync(join(outside, 'secret.txt'), join(root, 'innocent.txt'));
    symlinkSync(outside, join(root, 'linked-dir'));
    expect(await toolbox.call('read_file', { path: 'innocent.txt' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT', content: expect.stringContaining('really') });
    expect(await toolbox.call('read_file', { path: 'linked-dir/secret.txt' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(await toolbox.call('read_file', { path: '../../../../../../etc/passwd' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('follows a symlink that stays inside home', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'real.txt'), 'inside\n');
    symlinkSync(join(root, 'real.txt'), join(root, 'alias.txt'));
    expect(await toolbox.call('read_file', { path: 'alias.txt' })).toEqual({ content: 'inside', is_error: false });
  });

  it('refuses binary files', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'blob.bin'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2]));
    writeFileSync(join(root, 'latin1.txt'), Buffer.from([0x63, 0x61, 0x66, 0xe9]));
    expect(await toolbox.call('read_file', { path: 'blob.bin' })).toMatchObject({ is_error: true, code: 'BINARY_FILE' });
    expect(await toolbox.call('read_file', { path: 'latin1.txt' })).toMatchObject({ is_error: true, code: 'BINARY_FILE' });
  });
});

describe('write_file', () => {
  it('creates a file and replaces it', async () => {
    const { root, toolbox } = setup();
    expect(await toolbox.call('write_file', { path: 'a.txt', content: 'one' })).toMatchObject({ is_error: false, content: expect.stringContaining('Created') });
    expect(await toolbox.call('write_file', { path: 'a.txt', content: 'two!' })).toMatchObject({ is_error: false, content: expect.stringContaining('Replaced') });
    expect(readFileSync(join(root, 'a.txt'), 'utf8')).toBe('two!');
  });

  it('creates missing parent directories only when asked', async () => {
    const { root, toolbox } = setup();
    expect(await toolbox.call('write_file', { path: 'deep/er/x.txt', content: 'x' })).toMatchObject({ is_error: true, code: 'NOT_FOUND', content: expect.stringContaining('create_dirs') });
    expect(await toolbox.call('write_file', { path: 'deep/er/x.txt', content: 'x', create_dirs: true })).toMatchObject({ is_error: false });
    expect(readFileSync(join(root, 'deep/er/x.txt'), 'utf8')).toBe('x');
  });

  it('cannot write outside home, directly or through a symlinked directory', async () => {
    const { root, outside, toolbox } = setup();
    symlinkSync(outside, join(root, 'out'));
    expect(await toolbox.call('write_file', { path: join(outside, 'new.txt'), content: 'x' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(await toolbox.call('write_file', { path: 'out/new.txt', content: 'x' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
    expect(await toolbox.call('write_file', { path: 'out/sub/new.txt', content: 'x', create_dirs: true })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('does not write through a dangling symlink', async () => {
    const { root, outside, toolbox } = setup();
    symlinkSync(join(outside, 'planted.txt'), join(root, 'dangling.txt'));
    expect(await toolbox.call('write_file', { path: 'dangling.txt', content: 'x' })).toMatchObject({ is_error: true, code: 'BROKEN_SYMLINK' });
  });

  it('refuses to replace a directory', async () => {
    const { root, toolbox } = setup();
    mkdirSync(join(root, 'd'));
    expect(await toolbox.call('write_file', { path: 'd', content: 'x' })).toMatchObject({ code: 'IS_A_DIRECTORY' });
  });
});

describe('list_dir', () => {
  it('lists directories first, then files with sizes and links with targets', async () => {
    const { root, toolbox } = setup();
    mkdirSync(join(root, 'src'));
    writeFileSync(join(root, 'b.txt'), '12345');
    symlinkSync('b.txt', join(root, 'a-link'));
    const result = await toolbox.call('list_dir', { path: '.' });
    expect(result.content.split('\n')).toEqual([`${root}: 1 directory, 2 other entries`, 'dir   src/', 'link  a-link -> b.txt', 'file  b.txt  5 B']);
  });

  it('says that a file is not a directory', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'f'), '');
    expect(await toolbox.call('list_dir', { path: 'f' })).toMatchObject({ code: 'NOT_A_DIRECTORY' });
    expect(await toolbox.call('list_dir', { path: '/' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });
});

describe('search_files', () => {
  function project(root: string): void {
    mkdirSync(join(root, 'src/lib'), { recursive: true });
    mkdirSync(join(root, 'node_modules/dep'), { recursive: true });
    mkdirSync(join(root, 'dist'));
    writeFileSync(join(root, 'src/a.ts'), 'const total = price * (1 + tax);\nexport const name = "widget";\n');
    writeFileSync(join(root, 'src/lib/b.js'), 'call(foo("bar"));\n// a AND b OR c NEAR d\nfoo*bar\n');
    writeFileSync(join(root, 'README.md'), 'Widget docs: price * (1 + tax)\n');
    writeFileSync(join(root, 'node_modules/dep/index.js'), 'const name = "widget";\n');
    writeFileSync(join(root, 'dist/a.js'), 'const name = "widget";\n');
  }

  it('finds lines by regex and names file and line, skipping node_modules and dist', async () => {
    const { root, toolbox } = setup();
    project(root);
    const result = await toolbox.call('search_files', { path: '.', pattern: 'name = "\\w+"' });
    expect(result.content.split('\n')[0]).toBe('src/a.ts:2: export const name = "widget";');
    expect(result.content).not.toContain('node_modules');
    expect(result.content).not.toContain('dist/');
    expect(result.content).toContain('[1 matching lines in 1 files');
  });

  it.each([
    ['price * (1 + tax)', true, ['README.md:1', 'src/a.ts:1']],
    ['foo("bar")', true, ['src/lib/b.js:1']],
    ['a AND b OR c NEAR d', false, ['src/lib/b.js:2']],
    ['foo*bar', true, ['src/lib/b.js:3']],
    ['"widget"', false, ['src/a.ts:2']],
  ])('searches the special characters of %j as text when asked', async (pattern, literal, hits) => {
    const { root, toolbox } = setup();
    project(root);
    const result = await toolbox.call('search_files', { path: root, pattern, literal });
    const found = result.content.split('\n').filter((l) => /^\S+:\d+: /.test(l)).map((l) => l.split(': ')[0]);
    expect(found).toEqual(hits);
  });

  it('searches an invalid regex as plain text and says so', async () => {
    const { root, toolbox } = setup();
    project(root);
    const result = await toolbox.call('search_files', { path: '.', pattern: 'call(foo(' });
    expect(result.content).toContain('src/lib/b.js:1: call(foo("bar"));');
    expect(result.content).toContain('not a valid regular expression');
  });

  it('limits the search to files matching a glob', async () => {
    const { root, toolbox } = setup();
    project(root);
    const result = await toolbox.call('search_files', { path: '.', pattern: 'tax', glob: '*.md' });
    expect(result.content.split('\n')[0]).toBe('README.md:1: Widget docs: price * (1 + tax)');
    expect(result.content).not.toContain('src/a.ts');
  });

  it('stops at the match limit and says so', async () => {
    const { root, toolbox } = setup();
    writeFileSync(join(root, 'many.txt'), 'hit\n'.repeat(SEARCH_FILES_MAX_MATCHES + 50));
    const result = await toolbox.call('search_files', { path: '.', pattern: 'hit' });
    expect(result.content).toContain(`stopped at ${SEARCH_FILES_MAX_MATCHES} matches`);
  });

  it('does not follow symlinks out of home', async () => {
    const { root, outside, toolbox } = setup();
    symlinkSync(outside, join(root, 'out'));
    expect((await toolbox.call('search_files', { path: '.', pattern: 'not yours' })).content).toContain('[no matches');
    expect(await toolbox.call('search_files', { path: 'out', pattern: 'x' })).toMatchObject({ code: 'PATH_OUTSIDE_ROOT' });
  });

  it('stops a catastrophic regex by terminating its worker', async () => {
    const root = scratchDir();
    writeFileSync(join(root, 'evil.txt'), `${'a'.repeat(40)}!\n`);
    const request = { start: root, pattern: '^(a+)+$', literal: false, ignoreCase: false, glob: null, maxFiles: 10, maxMatches: 10, maxFileBytes: 1024, maxLineChars: 100 };
    const started = Date.now();
    expect(await runInWorker(repoRoot, request, 500, new AbortController().signal)).toBe('timeout');
    expect(Date.now() - started).toBeLessThan(3_000);
  });

  it('turns globs into anchored path patterns', () => {
    expect(globToRegExp('*.ts').test('a.ts')).toBe(true);
    expect(globToRegExp('*.ts').test('a.tsx')).toBe(false);
    expect(globToRegExp('src/**/*.{js,ts}').test('src/x/y/z.js')).toBe(true);
    expect(globToRegExp('src/**/*.{js,ts}').test('src/z.ts')).toBe(true);
    expect(globToRegExp('src/*.ts').test('src/x/z.ts')).toBe(false);
  });
});
