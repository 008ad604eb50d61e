/**
 * Running chat turns, one per conversation at most. A turn outlives the request that started
 * it: its events are kept and relayed to every subscriber (the POST /api/chat stream, then
 * GET /api/chat/events after a reload, snapshot first), and it is aborted only by Stop, or
 * once no one has watched it for `chat.detach_grace_s` seconds.
 */
import { AppError } from '../http/errors.js';
import type { ChatTurnEvent } from '../wire/chat-events.js';

export type TurnListener = (event: ChatTurnEvent) => void;

export class Turn {
  readonly controller = new AbortController();
  readonly events: ChatTurnEvent[] = [];
  readonly #listeners = new Set<TurnListener>();
  #graceTimer: NodeJS.Timeout | null = null;
  #finished = false;
  readonly #finishedListeners = new Set<() => void>();

  constructor(
    readonly conversationId: string,
    private readonly graceS: () => number,
  ) {}

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get finished(): boolean {
    return this.#finished;
  }

  emit(event: ChatTurnEvent): void {
    this.events.push(event);
    for (const listener of this.#listeners) listener(event);
  }

  /** Relays the events so far, then each new one; the returned function unsubscribes. */
  subscribe(listener: TurnListener): () => void {
    for (const event of this.events) listener(event);
    this.#listeners.add(listener);
    if (this.#graceTimer) {
      clearTimeout(this.#graceTimer);
      this.#graceTimer = null;
    }
    return () => {
      if (!this.#listeners.delete(listener) || this.#listeners.size > 0 || this.#finished) return;
      // No one watches: abort after the grace period unless someone comes back.
      this.#graceTimer = setTimeout(() => this.controller.abort(new Error('no client watched the turn')), this.graceS() * 1000);
      this.#graceTimer.unref();
    };
  }

  /**
   * Relays the turn to `listener` (events so far, then live ones) until it ends or `signal`
   * aborts (the client left: the grace period starts once no one else watches).
   */
  async follow(listener: TurnListener, signal: AbortSignal): Promise<void> {
    const unsubscribe = this.subscribe(listener);
    await Promise.race([this.whenFinished(), new Promise((resolve) => (signal.aborted ? resolve(undefined) : signal.addEventListener('abort', resolve, { once: true })))]);
    unsubscribe();
  }

  /** Resolves when the turn has ended (its listeners are told by the last event). */
  whenFinished(): Promise<void> {
    return this.#finished ? Promise.resolve() : new Promise((resolve) => this.#finishedListeners.add(resolve));
  }

  finish(): void {
    this.#finished = true;
    if (this.#graceTimer) clearTimeout(this.#graceTimer);
    this.#listeners.clear();
    for (const resolve of this.#finishedListeners) resolve();
  }
}

export class Turns {
  readonly #running = new Map<string, Turn>();
  constructor(private readonly graceS: () => number) {}

  /** A new turn for the conversation; 409 while one runs there. */
  start(conversationId: string): Turn {
    if (this.#running.has(conversationId)) throw new AppError(409, 'CONFLICT', 'A turn is already running in this conversation; wait for it or stop it (POST /api/chat/stop)');
    const turn = new Turn(conversationId, this.graceS);
    this.#running.set(conversationId, turn);
    return turn;
  }

  end(turn: Turn): void {
    if (this.#running.get(turn.conversationId) === turn) this.#running.delete(turn.conversationId);
    turn.finish();
  }

  get(conversationId: string): Turn | undefined {
    return this.#running.get(conversationId);
  }

  /** Aborts the conversation's turn now (its tools' process groups are killed); false when none ran. */
  stop(conversationId: string): boolean {
    const turn = this.#running.get(conversationId);
    if (!turn) return false;
    turn.controller.abort(new Error('stopped by the user'));
    return true;
  }
}
