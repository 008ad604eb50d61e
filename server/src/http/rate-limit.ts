/**
 * A token bucket: `capacity` requests at once, refilled evenly over `perMs`. Atelier has one
 * user, so a bucket per route (not per client) is what stops a runaway script or page loop.
 */
export class TokenBucket {
  #tokens: number;
  #updated = Date.now();

  constructor(
    readonly capacity: number,
    readonly perMs: number,
  ) {
    this.#tokens = capacity;
  }

  /** Takes one token; returns 0 when granted, else the seconds until one is available. */
  take(now = Date.now()): number {
    this.#tokens = Math.min(this.capacity, this.#tokens + ((now - this.#updated) * this.capacity) / this.perMs);
    this.#updated = now;
    if (this.#tokens >= 1) {
      this.#tokens -= 1;
      return 0;
    }
    return Math.max(1, Math.ceil(((1 - this.#tokens) * this.perMs) / this.capacity / 1000));
  }
}
