/** The part every store's load shares: a busy flag, whether data came, and why the last load failed. */
import { describeError } from './api';

export class LoadState {
  loading = $state(false);
  /** A load went through once: what the store holds was read, not its empty start. */
  loaded = $state(false);
  /** '' or why the last load failed; kept while a retry runs, cleared when one goes through. */
  error = $state('');
  #latest = 0;

  /**
   * Runs `load` under the flags above and answers whether it went through. The latest run wins:
   * one that ends after a newer one started leaves the flags alone, and `load` asks `current()`
   * before it keeps an answer that a newer run may already have replaced. `clearError` drops the
   * last failure as the run starts (a page that shows Loading, not the old error, while it retries).
   */
  async run(load: (current: () => boolean) => Promise<void>, { clearError = false }: { clearError?: boolean } = {}): Promise<boolean> {
    const run = ++this.#latest;
    const current = (): boolean => run === this.#latest;
    this.loading = true;
    if (clearError) this.error = '';
    try {
      await load(current);
      if (!current()) return false;
      this.error = '';
      this.loaded = true;
      return true;
    } catch (err) {
      if (current()) this.error = describeError(err);
      return false;
    } finally {
      if (current()) this.loading = false;
    }
  }
}
