// LoadState (web/src/lib/load-state.svelte.ts): the loading / loaded / error flags the studio's
// stores share, and the latest of overlapping loads winning.
import { beforeAll, describe, expect, it, vi } from 'vitest';

// The module holds its flags as rune state, which only the Svelte compiler turns into signals;
// here a rune stands in as the plain value it starts from, which is all the logic needs.
vi.stubGlobal('$state', Object.assign(<T>(value: T) => value, { raw: <T>(value: T) => value }));
// describeError translates network failures; the key is enough.
vi.mock('../../../web/src/lib/i18n.svelte', () => ({ t: (key: string) => key, tOr: (_key: string, fallback: string) => fallback, language: () => 'en' }));

let LoadState: typeof import('../../../web/src/lib/load-state.svelte').LoadState;
beforeAll(async () => {
  ({ LoadState } = await import('../../../web/src/lib/load-state.svelte'));
});

/** A promise and the hands that settle it. */
function deferred(): { promise: Promise<void>; resolve: () => void; reject: (err: unknown) => void } {
  let resolve!: () => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LoadState', () => {
  it('starts idle, with nothing loaded and no error', () => {
    const state = new LoadState();
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: false, error: '' });
  });

  it('is loading while the load runs, then loaded', async () => {
    const state = new LoadState();
    const gate = deferred();
    const done = state.run(() => gate.promise);
    expect(state.loading).toBe(true);
    expect(state.loaded).toBe(false);
    gate.resolve();
    await expect(done).resolves.toBe(true);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: '' });
  });

  it('keeps why a load failed until a retry goes through, and what was loaded before', async () => {
    const state = new LoadState();
    await state.run(async () => {});
    await expect(state.run(() => Promise.reject(new Error('disk on fire')))).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: 'disk on fire' });

    const gate = deferred();
    const retry = state.run(() => gate.promise);
    expect(state.error).toBe('disk on fire');
    gate.resolve();
    await expect(retry).resolves.toBe(true);
    expect(state.error).toBe('');
  });

  it('drops the last failure as a run starts when asked to', async () => {
    const state = new LoadState();
    await state.run(() => Promise.reject(new Error('nope')));
    const gate = deferred();
    const retry = state.run(() => gate.promise, { clearError: true });
    expect({ loading: state.loading, error: state.error }).toEqual({ loading: true, error: '' });
    gate.reject(new Error('still nope'));
    await expect(retry).resolves.toBe(false);
    expect(state.error).toBe('still nope');
  });

  it('does not count a failed first load as loaded', async () => {
    const state = new LoadState();
    await state.run(() => Promise.reject(new Error('nope')));
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: false, error: 'nope' });
  });

  it('lets the latest of overlapping loads decide the flags, and tells an older one it is stale', async () => {
    const state = new LoadState();
    const first = deferred();
    const second = deferred();
    const kept: string[] = [];
    const older = state.run(async (current) => {
      await first.promise;
      if (current()) kept.push('first');
    });
    const newer = state.run(async (current) => {
      await second.promise;
      if (current()) kept.push('second');
    });

    second.resolve();
    await expect(newer).resolves.toBe(true);
    expect(state.loading).toBe(false);
    // The older one fails after the newer one went through: neither its error nor its answer count.
    first.reject(new Error('too late'));
    await expect(older).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: '' });
    expect(kept).toEqual(['second']);
  });

  it('stays loading while a newer load runs after an older one ended', async () => {
    const state = new LoadState();
    const first = deferred();
    const second = deferred();
    const older = state.run(() => first.promise);
    const newer = state.run(() => second.promise);
    first.resolve();
    await expect(older).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded }).toEqual({ loading: true, loaded: false });
    second.reject(new Error('gone'));
    await expect(newer).resolves.toBe(false);
    expect({ loading: state.loading, error: state.error }).toEqual({ loading: false, error: 'gone' });
  });
});
