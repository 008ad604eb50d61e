import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigCorruptError, ConfigStore } from '../../server/src/config/store.js';
import { createLogger } from '../../server/src/logger.js';
import { tempDir } from '../helpers/temp.js';

const log = createLogger({ level: 'silent' });
const cleanups: (() => void)[] = [];
afterEach(() => cleanups.splice(0).forEach((f) => f()));
function home(): string {
  const t = tempDir();
  cleanups.push(t.remove);
  return t.dir;
}

describe('ConfigStore', () => {
  it('creates config.json with mode 0600 on first open', () => {
    const dir = home();
    ConfigStore.open(dir, log);
    const file = join(dir, 'config.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(JSON.parse(readFileSync(file, 'utf8')).profile.language).toBe('en');
  });

  it('tightens a config.json someone made world-readable', () => {
    const dir = home();
    ConfigStore.open(dir, log);
    const file = join(dir, 'config.json');
    spawnSync('chmod', ['644', file]);
    ConfigStore.open(dir, log);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('keeps the old file intact when the process dies between temp write and rename', () => {
    const dir = home();
    const store = ConfigStore.open(dir, log);
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'before' } }));
    const before = readFileSync(join(dir, 'config.json'), 'utf8');
    // A real crash: a child process opens the same store and SIGKILLs itself right before rename.
    const script = `
      import { ConfigStore } from './server/dist/config/store.js';
      import { createLogger } from './server/dist/logger.js';
      const store = ConfigStore.open(${JSON.stringify(dir)}, createLogger({ level: 'silent' }), {
        beforeRename: () => process.kill(process.pid, 'SIGKILL'),
      });
      store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'after' } }));`;
    const child = spawnSync(process.execPath, ['--input-type=module', '-e', script], { cwd: process.cwd() });
    expect(child.signal).toBe('SIGKILL');
    expect(readdirSync(dir).some((n) => n.includes('.tmp-'))).toBe(true);
    expect(readFileSync(join(dir, 'config.json'), 'utf8')).toBe(before);
    const reopened = ConfigStore.open(dir, log);
    expect(reopened.get().profile.name).toBe('before');
    expect(readdirSync(dir).some((n) => n.includes('.tmp-'))).toBe(false);
  });

  it("leaves a live process's temp file alone: a start beside this one creating the start lock keeps it", () => {
    const dir = home();
    const other = spawn('sleep', ['30']);
    cleanups.push(() => other.kill('SIGKILL'));
    const temp = `.runtime.json.lock.tmp-${other.pid}-0123abcd`;
    writeFileSync(join(dir, temp), String(other.pid));
    ConfigStore.open(dir, log);
    expect(readdirSync(dir)).toContain(temp);
  });

  it('leaves the file and memory unchanged when a write fails before rename', () => {
    const dir = home();
    let fail = false;
    const store = ConfigStore.open(dir, log, {
      beforeRename: () => {
        if (fail) throw new Error('disk full');
      },
    });
    fail = true;
    expect(() => store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'x' } }))).toThrow('disk full');
    expect(store.get().profile.name).toBe('');
    expect(JSON.parse(readFileSync(join(dir, 'config.json'), 'utf8')).profile.name).toBe('');
  });

  it('records a generation per change, names the changed paths, and skips no-op writes', () => {
    const store = ConfigStore.open(home(), log);
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, language: 'fr' } }));
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, language: 'fr' } }));
    const gens = store.generations();
    expect(gens.map((g) => g.generation)).toEqual([2, 1]);
    expect(gens[0]).toMatchObject({ reason: 'profile', changes: ['profile.language'], current: true });
    expect(gens[1]).toMatchObject({ reason: 'initial', current: false });
  });

  it('keeps only the last 20 generations', () => {
    const store = ConfigStore.open(home(), log);
    for (let i = 0; i < 25; i++) store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: `n${i}` } }));
    const gens = store.generations();
    expect(gens).toHaveLength(20);
    expect(gens[0]!.generation).toBe(26);
    expect(gens.at(-1)!.generation).toBe(7);
  });

  it('rolls back to a kept generation as a new generation', () => {
    const store = ConfigStore.open(home(), log);
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'a' } }));
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'b' } }));
    store.rollback(2);
    expect(store.get().profile.name).toBe('a');
    expect(store.generations()[0]).toMatchObject({ generation: 4, reason: 'rollback:2', current: true });
  });

  it('refuses to start on a corrupt config.json with no generation, naming the file and leaving it untouched', () => {
    const dir = home();
    const file = join(dir, 'config.json');
    writeFileSync(file, '{"profile": {', { mode: 0o600 });
    expect(() => ConfigStore.open(dir, log)).toThrow(ConfigCorruptError);
    expect(() => ConfigStore.open(dir, log)).toThrow(file);
    expect(readFileSync(file, 'utf8')).toBe('{"profile": {');
  });

  it('recovers a corrupt config.json from the newest generation and keeps the corrupt file aside', () => {
    const dir = home();
    const store = ConfigStore.open(dir, log);
    store.update('profile', (c) => ({ ...c, profile: { ...c.profile, name: 'kept' } }));
    writeFileSync(join(dir, 'config.json'), 'garbage');
    const reopened = ConfigStore.open(dir, log);
    expect(reopened.get().profile.name).toBe('kept');
    expect(reopened.recovery).toMatchObject({ fromGeneration: 2 });
    expect(readFileSync(reopened.recovery!.movedTo, 'utf8')).toBe('garbage');
  });

  it('treats a well-formed file with wrong types as corrupt (font_size 500)', () => {
    const dir = home();
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ terminal: { font_size: 500 } }));
    expect(() => ConfigStore.open(dir, log)).toThrow(/terminal\.font_size/);
  });

  it('fills sections missing from a hand-written file with defaults and records the edit', () => {
    const dir = home();
    ConfigStore.open(dir, log);
    writeFileSync(join(dir, 'config.json'), JSON.stringify({ profile: { name: 'hand' } }));
    const store = ConfigStore.open(dir, log);
    expect(store.get().profile).toMatchObject({ name: 'hand', language: 'en' });
    expect(store.get().terminal.font_size).toBe(14);
    expect(store.generations()[0]).toMatchObject({ reason: 'edited on disk', changes: ['profile.name'] });
  });

  it('writes generation files owner-only, since they hold API keys', () => {
    const dir = home();
    ConfigStore.open(dir, log);
    expect(existsSync(join(dir, 'generations', '1.json'))).toBe(true);
    expect(statSync(join(dir, 'generations', '1.json')).mode & 0o777).toBe(0o600);
  });
});
