import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { spawn, spawnSync } from 'node:child_process';
import { createFileAtomic, isLeftoverTemp, writeFileAtomic } from '../../server/src/fs/atomic.js';
import { tempDir } from '../helpers/temp.js';

const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function dir(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

describe('createFileAtomic', () => {
  it('creates the file with its text, owner-only, and leaves no temp file', () => {
    const d = dir();
    createFileAtomic(join(d, 'a.json'), '{"pid":1}\n');
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('{"pid":1}\n');
    expect(statSync(join(d, 'a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(d)).toEqual(['a.json']);
  });

  it('fails with EEXIST on a file that exists, leaving it as it was and no temp file', () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), 'theirs');
    expect(() => createFileAtomic(join(d, 'a.json'), 'mine')).toThrow(expect.objectContaining({ code: 'EEXIST' }));
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('theirs');
    expect(readdirSync(d)).toEqual(['a.json']);
  });
});

describe('writeFileAtomic', () => {
  it('replaces a file that exists, leaving no temp file', () => {
    const d = dir();
    writeFileSync(join(d, 'a.json'), 'old');
    writeFileAtomic(join(d, 'a.json'), 'new');
    expect(readFileSync(join(d, 'a.json'), 'utf8')).toBe('new');
    expect(readdirSync(d)).toEqual(['a.json']);
  });
});

describe('isLeftoverTemp', () => {
  it("is a temp file whose writer is gone, or this process's own; not a live process's, nor another name", () => {
    const gone = spawnSync('true').pid!;
    const live = spawn('sleep', ['30']);
    cleanups.push(() => live.kill('SIGKILL'));
    expect(isLeftoverTemp(`.config.json.tmp-${gone}-0123abcd`)).toBe(true);
    expect(isLeftoverTemp(`.config.json.tmp-${process.pid}-0123abcd`)).toBe(true);
    expect(isLeftoverTemp(`.runtime.json.lock.tmp-${live.pid}-0123abcd`)).toBe(false);
    expect(isLeftoverTemp('config.json')).toBe(false);
    expect(isLeftoverTemp(`.config.json.tmp-${gone}`)).toBe(false);
  });
});
