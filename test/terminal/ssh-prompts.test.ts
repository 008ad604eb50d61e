import { describe, expect, it } from 'vitest';
import type { SshConnection } from '../../server/src/terminal/ssh-connections.js';
import { answerPrompts, type PromptState } from '../../server/src/terminal/ssh-process.js';

const conn = { name: 'c', auth: 'password', password: 's3cret' } as SshConnection;
const fresh = (): PromptState => ({ passwordSent: false, unanswered: null });

describe('keyboard-interactive prompts of password authentication', () => {
  it('answers password prompts, whatever their wording, with the saved password', () => {
    for (const prompt of ['Password: ', "alice@host's password:", 'Passwort: ', 'Mot de passe : ']) {
      const state = fresh();
      expect(answerPrompts(conn, [{ prompt }], state)).toEqual(['s3cret']);
      expect(state).toEqual({ passwordSent: true, unanswered: null });
    }
  });

  it('sends the password once per handshake: asked again, it was wrong, and the server only counts another failure', () => {
    const state = fresh();
    expect(answerPrompts(conn, [{ prompt: 'Password: ' }], state)).toEqual(['s3cret']);
    expect(answerPrompts(conn, [{ prompt: 'Password: ' }], state)).toEqual(['']);
    expect(state.unanswered).toBeNull();
  });

  it('answers any other prompt empty and reports it, so the login fails with the question named', () => {
    const state = fresh();
    expect(answerPrompts(conn, [{ prompt: 'Verification code: ' }], state)).toEqual(['']);
    expect(state).toEqual({ passwordSent: false, unanswered: 'Verification code:' });
  });

  it('never sends a password for a connection that does not use password authentication', () => {
    const state = fresh();
    expect(answerPrompts({ ...conn, auth: 'key' }, [{ prompt: 'Password: ' }], state)).toEqual(['']);
    expect(state.unanswered).toBe('Password:');
  });
});
