import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import ssh2, { type ParsedKey } from 'ssh2';
import { afterAll, describe, expect, it } from 'vitest';
import { workerKeyUnlocker } from '../../server/src/terminal/ssh-key.js';
import { tempDir } from '../helpers/temp.js';

const rootDir = fileURLToPath(new URL('../..', import.meta.url));
const keys = workerKeyUnlocker(rootDir);
const tmp = tempDir('atelier-ssh-key-');
afterAll(() => tmp.remove());

/** A real key from ssh-keygen, with its public half as ssh2 reads it. */
let made = 0;
function keygen(type: 'ed25519' | 'rsa' | 'ecdsa', passphrase: string): { text: string; publicKey: ParsedKey } {
  const file = join(tmp.dir, `key-${made++}`);
  execFileSync('ssh-keygen', ['-q', '-t', type, '-N', passphrase, '-C', `test ${type}`, '-f', file], { stdio: 'pipe' });
  const publicKey = ssh2.utils.parseKey(readFileSync(`${file}.pub`));
  if (publicKey instanceof Error) throw publicKey;
  return { text: readFileSync(file, 'utf8'), publicKey };
}

describe('opening passphrase-protected SSH keys off the event loop', () => {
  it.each(['ed25519', 'rsa', 'ecdsa'] as const)('hands ssh2 the same %s key, decrypted, which it parses without a passphrase', async (type) => {
    const { text, publicKey } = keygen(type, 'correct horse');
    const unlocked = await keys.unlock(text, 'correct horse');
    if (!unlocked.ok) throw new Error(unlocked.message);
    const parsed = ssh2.utils.parseKey(unlocked.key);
    if (parsed instanceof Error) throw parsed;
    expect(parsed.getPublicSSH().equals(publicKey.getPublicSSH())).toBe(true);
    expect(parsed.isPrivateKey()).toBe(true);
    const data = Buffer.from('signed by the decrypted key');
    expect(publicKey.verify(data, parsed.sign(data))).toBe(true);
  });

  it('keeps the event loop turning while the key is decrypted', async () => {
    const { text } = keygen('ed25519', 'x'.repeat(12));
    let ticks = 0;
    const timer = setInterval(() => ticks++, 5);
    const unlocked = await keys.unlock(text, 'x'.repeat(12));
    clearInterval(timer);
    expect(unlocked.ok).toBe(true);
    // bcrypt_pbkdf takes hundreds of ms; on the event loop no tick could have run meanwhile.
    expect(ticks).toBeGreaterThan(3);
  });

  it('names a wrong passphrase, and passes a key without one through untouched', async () => {
    const { text } = keygen('ed25519', 'right one');
    const wrong = await keys.unlock(text, 'wrong one');
    expect(wrong.ok).toBe(false);
    expect(!wrong.ok && wrong.message).toMatch(/passphrase|integrity/i);
    const plain = await keys.unlock('not even a key', undefined);
    expect(plain).toEqual({ ok: true, key: 'not even a key' });
    const garbage = await keys.unlock('not even a key', 'pass');
    expect(garbage.ok).toBe(false);
  });
});
