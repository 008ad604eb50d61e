import { describe, expect, it } from 'vitest';
import type { SshConnection } from '../../server/src/terminal/ssh-connections.js';
import { answerPrompts } from '../../server/src/terminal/ssh-process.js';

const conn = { name: 'c', auth: 'password', password: 's3cret' } as SshConnection;

describe('keyboard-interactive prompts of password authentication', () => {
  it('answers password prompts, whatever their wording, with the saved password', () => {
    const asked: string[] = [];
    const prompts = ['Password: ', "alice@host's password:", 'Passwort: ', 'Mot de passe : '].map((prompt) => ({ prompt }));
    expect(answerPrompts(conn, prompts, (p) => asked.push(p))).toEqual(['s3cret', 's3cret', 's3cret', 's3cret']);
    expect(asked).toEqual([]);
  });

  it('answers any other prompt empty and reports it, so the login fails with the question named', () => {
    const asked: string[] = [];
    expect(answerPrompts(conn, [{ prompt: 'Verification code: ' }], (p) => asked.push(p))).toEqual(['']);
    expect(asked).toEqual(['Verification code:']);
  });

  it('never sends a password for a connection that does not use password authentication', () => {
    const asked: string[] = [];
    expect(answerPrompts({ ...conn, auth: 'key' }, [{ prompt: 'Password: ' }], (p) => asked.push(p))).toEqual(['']);
    expect(asked).toEqual(['Password:']);
  });
});
