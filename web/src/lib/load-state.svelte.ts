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
   * The store's data was just changed here (a delete, a save): a load still under way read it
   * before, so its answer is dropped instead of bringing back what was changed.
   */
  supersede(): void {
    this.#latest++;
    this.loading = false;
  }

  /**
   * Reads (`read`), then keeps the answer (`keep`) under the flags above, and answers whether it
   * went through. The latest run wins: `keep` runs only for a run no newer one (nor a
   * `supersede`) has replaced, and an older run's end or failure leaves the flags alone.
   * `clearError` drops the last failure as the run starts (a page that shows Loading, not the old
   * error, while it retries).
   */
  async run<T>(read: () => Promise<T>, keep: (answer: T) => void, { clearError = false }: { clearError?: boolean } = {}): Promise<boolean> {
    const run = ++this.#latest;
    const current = (): boolean => run === this.#latest;
    this.loading = true;
    if (clearError) this.error = '';
    try {
      const answer = await read();
      if (!current()) return false;
      keep(answer);
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
