/**
 * The open terminal tabs: what each one runs and how it is doing, in an order that survives a
 * reload (sessionStorage keeps each tab's session id, and the page re-attaches them). The
 * xterm of a tab lives in TerminalView; the wire lives in TerminalSocket.
 */
import type { TerminalInit, TerminalKind } from '$wire/terminal';
import { api } from '../lib/api';
import { SOCKET_ERROR, TerminalSocket, type SessionReady, type SocketState } from './terminal-socket';

/** What a tab starts: a local shell, a WSL distribution or a saved SSH connection. */
export type TerminalSpec = Omit<TerminalInit, 'cols' | 'rows'>;

/** Where the view puts what the socket receives. */
export interface TerminalSink {
  /** A session is shown; `restored`: a snapshot of its screen follows, reset before it. */
  ready(restored: boolean): void;
  /** Output bytes; `consumed` once written (flow control). */
  output(bytes: Uint8Array, consumed: () => void): void;
}

/** Why a tab shows no live terminal. */
export interface TabProblem {
  code: string;
  message: string;
  /** The tab has no session any more (or never had one): only starting again helps. */
  fatal: boolean;
}

/** sessionStorage key of the open tabs (per browser tab, like the tabs themselves). */
const STORAGE_KEY = 'atelier.terminals';

interface StoredTabs {
  tabs: { id: string; spec: TerminalSpec; title: string }[];
  active: string | null;
}

/** One terminal tab. */
export class TerminalTab {
  /** Identity of the tab in the page (the session id arrives later, and changes on restart). */
  readonly key = crypto.randomUUID();
  readonly spec: TerminalSpec;
  sessionId = $state<string | null>(null);
  kind = $state<TerminalKind>('local');
  title = $state('');
  state = $state<SocketState>('connecting');
  exit = $state<{ code: number | null; signal: string | null } | null>(null);
  problem = $state<TabProblem | null>(null);
  behind = $state(false);
  /** The session waits on another view of it (another browser tab or window) that is behind. */
  held = $state(false);
  /** Bumped by restart(): the view starts over with a fresh terminal. */
  generation = $state(0);
  #socket: TerminalSocket | null = null;
  readonly #onChange: () => void;

  constructor(spec: TerminalSpec, onChange: () => void, restored?: { id: string; title: string }) {
    this.spec = spec;
    this.kind = spec.kind;
    this.title = restored?.title ?? spec.shell ?? spec.distro ?? spec.connection ?? spec.kind;
    this.sessionId = restored?.id ?? null;
    this.#onChange = onChange;
  }

  /**
   * Starts or re-attaches this tab's session and feeds `sink`; the view calls it once mounted,
   * and the returned function when it goes (the session keeps running on the server).
   */
  connect(size: { cols: number; rows: number }, sink: TerminalSink): () => void {
    this.#socket?.detach();
    // A tab whose session is gone stays as it is until the user starts it again.
    if (this.problem?.fatal) return () => undefined;
    this.state = 'connecting';
    const start = this.sessionId ? { attach: this.sessionId } : { init: this.spec };
    // Events of a socket this tab has replaced (restart) no longer concern it.
    const current = (): boolean => this.#socket === socket;
    const socket: TerminalSocket = new TerminalSocket(start, size, {
      ready: (session: SessionReady, restored) => {
        if (!current()) return;
        this.sessionId = session.id;
        this.kind = session.kind;
        this.title = session.title;
        this.problem = null;
        // A new socket starts unheld; the server tells it right after `ready` if it is held.
        this.held = false;
        this.#onChange();
        sink.ready(restored);
      },
      output: (bytes, consumed) => (current() ? sink.output(bytes, consumed) : consumed()),
      exit: (code, signal) => {
        if (current()) this.exit = { code, signal };
      },
      error: (code, message, fatal) => {
        if (!current()) return;
        this.problem = { code, message, fatal };
        // A refused upgrade tells the page nothing; an expired sign-in shows up on the next
        // request, and api.ts turns its 401 into the sign-in screen.
        if (code === SOCKET_ERROR.DISCONNECTED) void api.get('/api/info').catch(() => undefined);
      },
      state: (state) => {
        if (current()) this.state = state;
      },
      behind: (behind) => {
        if (current()) this.behind = behind;
      },
      held: (held) => {
        if (current()) this.held = held;
      },
    });
    this.#socket = socket;
    return () => {
      socket.detach();
      if (current()) this.#socket = null;
    };
  }

  /** Ends the session on the server. */
  end(): void {
    this.#socket?.end();
    this.#socket = null;
  }

  /** Keystrokes from the terminal. */
  input(data: string): void {
    this.#socket?.input(data);
  }

  /** The program set the window title (OSC 0/2); an empty one keeps the current title. */
  retitle(title: string): void {
    if (!title || title === this.title) return;
    this.title = title;
    this.#onChange();
  }

  /** The terminal was resized. */
  resize(cols: number, rows: number): void {
    this.#socket?.resize(cols, rows);
  }

  /** Re-attaches now after the socket gave up waiting for the server. */
  reconnect(): void {
    this.problem = null;
    this.#socket?.retry();
  }

  /** Starts a new session of the same kind in this tab (the old one ended or never started). */
  restart(): void {
    this.#socket?.end();
    this.#socket = null;
    this.sessionId = null;
    this.exit = null;
    this.problem = null;
    this.behind = false;
    this.held = false;
    this.generation++;
    this.#onChange();
  }

  /** The part of the tab that survives a reload; null while it has no session to re-attach. */
  stored(): StoredTabs['tabs'][number] | null {
    return this.sessionId ? { id: this.sessionId, spec: this.spec, title: this.title } : null;
  }
}

function readStored(): StoredTabs | null {
  try {
    const raw = sessionStorage.getItem(STORAGE_KEY);
    const parsed = raw ? (JSON.parse(raw) as Partial<StoredTabs>) : null;
    if (!parsed || !Array.isArray(parsed.tabs)) return null;
    const tabs = parsed.tabs.filter((t) => typeof t?.id === 'string' && typeof t.spec?.kind === 'string' && typeof t.title === 'string');
    return { tabs, active: typeof parsed.active === 'string' ? parsed.active : null };
  } catch {
    return null; // Storage disabled or garbage: start with no tab.
  }
}

/** The open tabs of this browser tab, and which one is shown. */
class TerminalTabs {
  list = $state<TerminalTab[]>([]);
  activeKey = $state<string | null>(null);
  #restored = false;

  get active(): TerminalTab | undefined {
    return this.list.find((tab) => tab.key === this.activeKey);
  }

  /** Brings back the tabs of the last page load (once per load; later mounts keep the live list). */
  restore(): void {
    if (this.#restored) return;
    this.#restored = true;
    const stored = readStored();
    if (!stored) return;
    this.list = stored.tabs.map((t) => new TerminalTab(t.spec, () => this.save(), { id: t.id, title: t.title }));
    const active = this.list.find((tab) => tab.sessionId === stored.active) ?? this.list[0];
    this.activeKey = active?.key ?? null;
  }

  /** Opens a new tab running `spec` and shows it. */
  open(spec: TerminalSpec): TerminalTab {
    const tab = new TerminalTab(spec, () => this.save());
    this.list = [...this.list, tab];
    this.activeKey = tab.key;
    return tab;
  }

  /** Shows a tab. */
  show(tab: TerminalTab): void {
    this.activeKey = tab.key;
    this.save();
  }

  /** Moves a tab to `index` in the list (dragged, or Shift+arrow); the order survives a reload. */
  move(tab: TerminalTab, index: number): void {
    const from = this.list.indexOf(tab);
    const to = Math.max(0, Math.min(index, this.list.length - 1));
    if (from < 0 || from === to) return;
    const list = this.list.filter((t) => t !== tab);
    list.splice(to, 0, tab);
    this.list = list;
    this.save();
  }

  /** Closes a tab and ends its session; the neighbour is shown. */
  close(tab: TerminalTab): void {
    const index = this.list.indexOf(tab);
    if (index < 0) return;
    tab.end();
    this.list = this.list.filter((t) => t !== tab);
    if (this.activeKey === tab.key) this.activeKey = (this.list[index] ?? this.list[index - 1])?.key ?? null;
    this.save();
  }

  /** Writes the tabs with a session, in order, to sessionStorage. */
  save(): void {
    const stored: StoredTabs = {
      tabs: this.list.flatMap((tab) => tab.stored() ?? []),
      active: this.active?.sessionId ?? null,
    };
    try {
      sessionStorage.setItem(STORAGE_KEY, JSON.stringify(stored));
    } catch {
      // Not kept across a reload; the sessions still run and expire on the server.
    }
  }
}

/** The one set of terminal tabs of the studio. */
export const terminalTabs = new TerminalTabs();
