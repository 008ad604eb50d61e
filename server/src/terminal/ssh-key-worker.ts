/**
 * Worker thread that opens one passphrase-protected private key (see ssh-key.ts). An OpenSSH
 * key derives its cipher key with bcrypt_pbkdf: ~0.4 s of CPU at ssh-keygen's default rounds,
 * which on the event loop froze every terminal and stream. Answers the same key without
 * encryption, in a format ssh2 parses in a millisecond, or the parser's error.
 */
import { createPrivateKey, randomBytes } from 'node:crypto';
import { parentPort, workerData } from 'node:worker_threads';
import ssh2 from 'ssh2';
import type { ParsedKey } from 'ssh2';

export type UnlockAnswer = { key: string } | { error: string };

const { key, passphrase } = workerData as { key: string | Uint8Array; passphrase: string };
parentPort!.postMessage(unlock());

function unlock(): UnlockAnswer {
  const parsed = ssh2.utils.parseKey(typeof key === 'string' ? key : Buffer.from(key), passphrase);
  if (parsed instanceof Error) return { error: parsed.message };
  const locked = Array.isArray(parsed) ? parsed[0]! : parsed;
  // ssh2 writes Ed25519 private keys as PKCS#8, which its own parser does not read back.
  const plain = locked.type === 'ssh-ed25519' ? openSshEd25519(locked) : locked.getPrivatePEM();
  // The re-encoded key must be the same key: it signs what the original verifies.
  const reopened = ssh2.utils.parseKey(plain);
  const probe = randomBytes(32);
  if (reopened instanceof Error || Array.isArray(reopened) || !locked.verify(probe, reopened.sign(probe))) {
    return { error: `a ${locked.type} key could not be re-encoded after decryption` };
  }
  return { key: plain };
}

function sshString(data: Buffer | string): Buffer {
  const bytes = Buffer.from(data);
  const length = Buffer.alloc(4);
  length.writeUInt32BE(bytes.length);
  return Buffer.concat([length, bytes]);
}

/** An Ed25519 key in the unencrypted `openssh-key-v1` format (PROTOCOL.key in OpenSSH's sources). */
function openSshEd25519(key: ParsedKey): string {
  const jwk = createPrivateKey(key.getPrivatePEM()).export({ format: 'jwk' });
  const seed = Buffer.from(jwk.d!, 'base64url');
  const pub = Buffer.from(jwk.x!, 'base64url');
  const check = randomBytes(4);
  const priv = Buffer.concat([check, check, sshString('ssh-ed25519'), sshString(pub), sshString(Buffer.concat([seed, pub])), sshString(key.comment ?? '')]);
  const padding = Buffer.from(Array.from({ length: (8 - (priv.length % 8)) % 8 }, (_, i) => i + 1));
  const keys = Buffer.alloc(4);
  keys.writeUInt32BE(1);
  const body = Buffer.concat([
    Buffer.from('openssh-key-v1\0', 'latin1'),
    sshString('none'),
    sshString('none'),
    sshString(''),
    keys,
    sshString(Buffer.concat([sshString('ssh-ed25519'), sshString(pub)])),
    sshString(Buffer.concat([priv, padding])),
  ]);
  const lines = body.toString('base64').match(/.{1,70}/g)!;
  return ['-----BEGIN OPENSSH PRIVATE KEY-----', ...lines, '-----END OPENSSH PRIVATE KEY-----', ''].join('\n');
}
