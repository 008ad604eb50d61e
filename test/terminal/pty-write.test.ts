// Input written to a real PTY from the event loop's thread (directWriter) arrives whole and in
// order, also when a paste is larger than the kernel takes at once and keystrokes follow it.
import { createHash, randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import pty, { type IPty } from 'node-pty';
import { afterAll, describe, expect, it } from 'vitest';
import { directWriter } from '../../server/src/terminal/pty-write.js';
import { tempDir } from '../helpers/temp.js';

const dir = tempDir();
const children: IPty[] = [];
afterAll(() => {
  for (const c of children) c.kill();
  dir.remove();
});

/** `head -c bytes > out` on a raw, non-echoing PTY; resolves once the line discipline is raw. */
async function sink(bytes: number, out: string): Promise<{ child: IPty; exited: Promise<number> }> {
  const child = pty.spawn('/bin/sh', ['-c', `stty raw -echo && printf READY && exec head -c ${bytes} > ${out}`], { cols: 80, rows: 24, cwd: dir.dir, env: process.env as Record<string, string> });
  children.push(child);
  const exited = new Promise<number>((resolve) => child.onExit(({ exitCode }) => resolve(exitCode)));
  await new Promise<void>((resolve) => {
    let seen = '';
    const sub = child.onData((d) => {
      seen += d;
      if (seen.includes('READY')) (sub.dispose(), resolve());
    });
  });
  return { child, exited };
}

const sha = (b: Buffer | string): string => createHash('sha256').update(b).digest('hex');
const queued = (child: IPty): number => (child as unknown as { _writeStream: { _writeQueue: unknown[] } })._writeStream._writeQueue.length;

describe('directWriter', () => {
  it('writes a keystroke before it returns, leaving node-pty nothing queued', async () => {
    const out = join(dir.dir, 'one');
    const { child, exited } = await sink(3, out);
    const write = directWriter(child);
    write('a');
    expect(queued(child)).toBe(0);
    write('bc');
    expect(await exited).toBe(0);
    expect(readFileSync(out, 'utf8')).toBe('abc');
  });

  it('queues what the kernel does not take, and every later write behind it: a 2 MB paste, then keystrokes, arrive in order', async () => {
    const paste = randomBytes(1536 * 1024).toString('base64'); // 2 MB of text; raw mode passes it byte for byte
    const keys = 'xyz\u00e9'; // é: two bytes in UTF-8
    const out = join(dir.dir, 'paste');
    const { child, exited } = await sink(Buffer.byteLength(paste + keys), out);
    const write = directWriter(child);
    write(paste);
    expect(queued(child)).toBe(1); // the kernel took a few KB; node-pty has the rest
    for (const k of keys) write(k);
    expect(await exited).toBe(0);
    const got = readFileSync(out);
    expect(got.length).toBe(Buffer.byteLength(paste + keys));
    expect(sha(got)).toBe(sha(paste + keys));
  });

  it('drops a write once the program has gone, without throwing', async () => {
    const { child, exited } = await sink(1, join(dir.dir, 'gone'));
    const write = directWriter(child);
    write('q');
    await exited;
    expect(() => write('after the exit')).not.toThrow();
  });
});
