import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { findExecutable, pathDirs } from '../../server/src/system/which.js';
import { fakeTool, scratchDir } from './fixtures.js';

describe('PATH lookup', () => {
  it('finds an executable in a PATH directory and returns its absolute path', async () => {
    const dir = scratchDir();
    const file = fakeTool(dir, 'mytool', 'exit 0');
    expect(await findExecutable(['mytool'], { PATH: `/nonexistent:${dir}` })).toBe(file);
  });

  it('returns null for a name on no PATH directory', async () => {
    expect(await findExecutable(['atelier-no-such-tool'], { PATH: scratchDir() })).toBeNull();
  });

  it('skips a file without the execute bit', async () => {
    const dir = scratchDir();
    writeFileSync(join(dir, 'plain'), 'not runnable');
    expect(await findExecutable(['plain'], { PATH: dir })).toBeNull();
  });

  it('skips a directory named like the tool', async () => {
    const dir = scratchDir();
    mkdirSync(join(dir, 'tooldir'), { mode: 0o755 });
    expect(await findExecutable(['tooldir'], { PATH: dir })).toBeNull();
  });

  it('takes the first PATH directory holding the name', async () => {
    const [first, second] = [scratchDir(), scratchDir()];
    fakeTool(second, 'dup', 'exit 0');
    const winner = fakeTool(first, 'dup', 'exit 0');
    expect(await findExecutable(['dup'], { PATH: `${first}:${second}` })).toBe(winner);
  });

  it('prefers an earlier alternative name over an earlier directory', async () => {
    const [first, second] = [scratchDir(), scratchDir()];
    fakeTool(first, 'python', 'exit 0');
    const python3 = fakeTool(second, 'python3', 'exit 0');
    expect(await findExecutable(['python3', 'python'], { PATH: `${first}:${second}` })).toBe(python3);
  });

  it('ignores empty PATH entries rather than searching the working directory', () => {
    expect(pathDirs({ PATH: ':/usr/bin::/bin:' }, 'linux')).toEqual(['/usr/bin', '/bin']);
  });

  it('splits a Windows PATH on semicolons and unquotes its entries', () => {
    expect(pathDirs({ PATH: 'C:\\Windows;"C:\\Program Files\\Git\\cmd";' }, 'win32')).toEqual(['C:\\Windows', 'C:\\Program Files\\Git\\cmd']);
  });

  it('adds PATHEXT extensions on Windows', async () => {
    const dir = scratchDir();
    const file = fakeTool(dir, 'npm.cmd', 'exit 0');
    expect(await findExecutable(['npm'], { PATH: dir, PATHEXT: '.EXE;.CMD' }, 'win32')).toBe(file);
  });
});
