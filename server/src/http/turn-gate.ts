/**
 * Spreads a burst of heavy request starts over turns of the event loop: each turn lets at most
 * `perTurn` callers through and the rest wait for the next turns. A hundred chats sent at the
 * same moment then cost a few milliseconds per turn instead of one turn of a hundred starts,
 * during which no terminal echoed, no health check answered and no token was relayed.
 * Callers pass in arrival order.
 */
export class TurnGate {
  readonly #perTurn: number;
  readonly #waiting: (() => void)[] = [];
  /** Callers let through since the last turn began. */
  #passed = 0;
  #turnScheduled = false;

  constructor(perTurn: number) {
    this.#perTurn = perTurn;
  }

  /** Resolves when the caller may go on: at once while this turn has room, else in a later turn. */
  pass(): Promise<void> {
    this.#scheduleTurn();
    if (this.#waiting.length === 0 && this.#passed < this.#perTurn) {
      this.#passed++;
      return Promise.resolve();
    }
    return new Promise((resolve) => this.#waiting.push(resolve));
  }

  // setImmediate runs after the poll phase; one scheduled from inside it runs in the next turn,
  // so each batch below gets a turn of its own, with timers and I/O handled between batches.
  #scheduleTurn(): void {
    if (this.#turnScheduled) return;
    this.#turnScheduled = true;
    setImmediate(() => {
      this.#turnScheduled = false;
      const batch = this.#waiting.splice(0, this.#perTurn);
      this.#passed = batch.length;
      for (const resolve of batch) resolve();
      if (this.#waiting.length > 0 || batch.length > 0) this.#scheduleTurn();
    });
  }
}
