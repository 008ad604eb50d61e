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
function deferred<T = void>(): { promise: Promise<T>; resolve: (value: T) => void; reject: (err: unknown) => void } {
  let resolve!: (value: T) => void;
  let reject!: (err: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('LoadState', () => {
  const ignore = (): void => {};

  it('starts idle, with nothing loaded and no error', () => {
    const state = new LoadState();
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: false, error: '' });
  });

  it('is loading while the read runs, then keeps its answer and is loaded', async () => {
    const state = new LoadState();
    const gate = deferred();
    const kept: unknown[] = [];
    const done = state.run(() => gate.promise, (answer) => kept.push(answer));
    expect(state.loading).toBe(true);
    expect(state.loaded).toBe(false);
    gate.resolve();
    await expect(done).resolves.toBe(true);
    expect(kept).toHaveLength(1);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: '' });
  });

  it('keeps why a load failed until a retry goes through, and what was loaded before', async () => {
    const state = new LoadState();
    await state.run(async () => {}, ignore);
    await expect(state.run(() => Promise.reject(new Error('disk on fire')), ignore)).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: 'disk on fire' });

    const gate = deferred();
    const retry = state.run(() => gate.promise, ignore);
    expect(state.error).toBe('disk on fire');
    gate.resolve();
    await expect(retry).resolves.toBe(true);
    expect(state.error).toBe('');
  });

  it('drops the last failure as a run starts when asked to', async () => {
    const state = new LoadState();
    await state.run(() => Promise.reject(new Error('nope')), ignore);
    const gate = deferred();
    const retry = state.run(() => gate.promise, ignore, { clearError: true });
    expect({ loading: state.loading, error: state.error }).toEqual({ loading: true, error: '' });
    gate.reject(new Error('still nope'));
    await expect(retry).resolves.toBe(false);
    expect(state.error).toBe('still nope');
  });

  it('does not count a failed first load as loaded', async () => {
    const state = new LoadState();
    await state.run(() => Promise.reject(new Error('nope')), ignore);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: false, error: 'nope' });
  });

  it('lets the latest of overlapping loads decide: an older one that ends later keeps nothing', async () => {
    const state = new LoadState();
    const first = deferred<string>();
    const second = deferred<string>();
    const kept: string[] = [];
    const older = state.run(() => first.promise, (answer) => kept.push(answer));
    const newer = state.run(() => second.promise, (answer) => kept.push(answer));

    second.resolve('second');
    await expect(newer).resolves.toBe(true);
    expect(state.loading).toBe(false);
    first.resolve('first');
    await expect(older).resolves.toBe(false);
    expect(kept).toEqual(['second']);
  });

  it('ignores the failure of an older load that ends after a newer one went through', async () => {
    const state = new LoadState();
    const first = deferred();
    const older = state.run(() => first.promise, ignore);
    await state.run(async () => {}, ignore);
    first.reject(new Error('too late'));
    await expect(older).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded, error: state.error }).toEqual({ loading: false, loaded: true, error: '' });
  });

  it('stays loading while a newer load runs after an older one ended', async () => {
    const state = new LoadState();
    const first = deferred();
    const second = deferred();
    const older = state.run(() => first.promise, ignore);
    const newer = state.run(() => second.promise, ignore);
    first.resolve();
    await expect(older).resolves.toBe(false);
    expect({ loading: state.loading, loaded: state.loaded }).toEqual({ loading: true, loaded: false });
    second.reject(new Error('gone'));
    await expect(newer).resolves.toBe(false);
    expect({ loading: state.loading, error: state.error }).toEqual({ loading: false, error: 'gone' });
  });

  it('drops the answer of a load under way when the data was changed here meanwhile (a delete)', async () => {
    const state = new LoadState();
    const gate = deferred<string[]>();
    let items = ['a', 'b'];
    const load = state.run(() => gate.promise, (answer) => (items = answer));
    // The delete lands while the list read before it is still on its way.
    state.supersede();
    items = items.filter((item) => item !== 'b');
    expect(state.loading).toBe(false);
    gate.resolve(['a', 'b']);
    await expect(load).resolves.toBe(false);
    expect(items).toEqual(['a']);
  });
});
