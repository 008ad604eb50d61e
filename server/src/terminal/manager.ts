import type { Logger } from 'pino';
import { AppError } from '../http/errors.js';
import { TERMINAL_EXITED_KEEP_MS } from '../limits.js';
import type { TerminalKind } from '../wire/terminal.js';
import type { TerminalProcess } from './process.js';
import { TerminalSession, type SessionInfo, type SessionShared } from './session.js';


export interface ManagerLimits {
  /** Live sessions allowed at once. */
  maxSessions: () => number;
  /** How long a session with no viewer keeps running. */
  detachGraceMs: () => number;
}

/** Owns every live terminal session: creation under the cap, lookup, grace timers, shutdown. */
export class SessionManager {
  readonly #sessions = new Map<string, TerminalSession>();
  readonly #timers = new Map<string, NodeJS.Timeout>();

  constructor(
    /** The mirror, GC pacer and frame buffers every session uses. */
    readonly shared: SessionShared,
    readonly limits: ManagerLimits,
    readonly log: Logger,
  ) {}

  /** Live sessions count toward the cap; exited ones kept for re-attach do not. */
  get liveCount(): number {
    let n = 0;
    for (const s of this.#sessions.values()) if (!s.exited) n++;
    return n;
  }

  /** Throws 503-style CAPACITY when the cap is reached; checked before spawning anything. */
  assertCapacity(): void {
    const max = this.limits.maxSessions();
    if (this.liveCount >= max) throw new AppError(503, 'TOO_MANY_SESSIONS', `Too many terminal sessions (the limit is ${max}); close one first`);
  }

  /** Registers a started process as a session. */
  add(kind: TerminalKind, proc: TerminalProcess, size: { cols: number; rows: number; scrollback: number }): TerminalSession {
    const session = new TerminalSession(kind, proc, size, this.shared);
    this.#sessions.set(session.id, session);
    session.onIdle(() => this.#schedule(session, this.limits.detachGraceMs()));
    session.onExit(() => {
      this.log.info({ id: session.id, kind }, 'terminal exited');
      if (session.viewerCount === 0) this.#schedule(session, TERMINAL_EXITED_KEEP_MS);
    });
    this.log.info({ id: session.id, kind, title: session.title }, 'terminal started');
    return session;
  }

  get(id: string): TerminalSession | undefined {
    return this.#sessions.get(id);
  }

  /** A viewer arrived: whatever countdown was running stops. */
  cancelExpiry(session: TerminalSession): void {
    clearTimeout(this.#timers.get(session.id));
    this.#timers.delete(session.id);
  }

  list(): SessionInfo[] {
    return [...this.#sessions.values()].map((s) => s.info());
  }

  /** Ends one session now. */
  close(id: string): void {
    const session = this.#sessions.get(id);
    if (!session) return;
    this.cancelExpiry(session);
    this.#sessions.delete(id);
    session.dispose();
    if (this.#sessions.size === 0) this.shared.frames.drop(); // buffers kept for reuse, ~0.3 MB each: the next terminal makes new ones
  }

  /** Ends every session (shutdown). */
  closeAll(): void {
    for (const id of [...this.#sessions.keys()]) this.close(id);
  }

  /**
   * Starts the countdown to close a session that nobody watches. A session already closed has
   * none: its socket's detach and its process's exit both come after close(), and a timer set
   * then would keep the disposed session, its PTY and its buffers alive for the detach grace
   * (30 min by default), the timer itself for good once it fired.
   */
  #schedule(session: TerminalSession, ms: number): void {
    if (this.#sessions.get(session.id) !== session) return;
    this.cancelExpiry(session);
    const delay = session.exited ? Math.min(ms, TERMINAL_EXITED_KEEP_MS) : ms;
    const timer = setTimeout(() => {
      this.log.info({ id: session.id, exited: session.exited }, 'terminal closed after detach grace');
      this.close(session.id);
    }, delay);
    timer.unref();
    this.#timers.set(session.id, timer);
  }
}
