/**
 * Worker thread holding one headless xterm per terminal session, fed with its output, so a
 * page that reloads gets the screen and scrollback back. It runs off the thread that moves
 * bytes between PTYs and sockets. Output arrives once a flood has calmed (MirrorPool holds it
 * meanwhile), at most the newest BACKLOG_MAX_BYTES of it, and is parsed after PARSE_DELAY_MS;
 * older bytes of a flood would have scrolled out of the scrollback anyway, so memory stays bounded.
 */
import { readlinkSync } from 'node:fs';
import { setPriority } from 'node:os';
import { parentPort } from 'node:worker_threads';
import headless from '@xterm/headless';
import serialize from '@xterm/addon-serialize';
import unicode11 from '@xterm/addon-unicode11';
import type { MirrorReply, MirrorRequest } from './mirror-protocol.js';

/** Unparsed output kept per session; beyond this the oldest is dropped (at a line boundary). */
const BACKLOG_MAX_BYTES = 4 * 1024 * 1024;
/** How long output is left to accumulate before it is parsed. */
const PARSE_DELAY_MS = 50;
const NEWLINE = 0x0a;

interface Mirror {
  term: InstanceType<typeof headless.Terminal>;
  serializer: InstanceType<typeof serialize.SerializeAddon>;
  backlog: Uint8Array[];
  backlogBytes: number;
  timer: NodeJS.Timeout | null;
}

/**
 * The nice value of this thread: parsing a flood's backlog takes a core for a few hundred ms,
 * and on a 2-core machine that was the core the event loop, the shell and the browser needed to
 * answer a keystroke. At 19 the scheduler gives the mirror only what they leave.
 */
const MIRROR_NICE = 19;

/** Linux counts a thread as a task with its own nice value; elsewhere the worker keeps the process's. */
function yieldTheCpu(): void {
  if (process.platform !== 'linux') return;
  try {
    setPriority(Number(readlinkSync('/proc/thread-self').split('/').pop()), MIRROR_NICE);
  } catch {
    // no /proc: keep the default priority
  }
}
yieldTheCpu();

const mirrors = new Map<string, Mirror>();
const port = parentPort!;
const reply = (message: MirrorReply): void => port.postMessage(message);

/** Drops the oldest backlog beyond the cap, then realigns to the next line start. */
function trim(m: Mirror): void {
  while (m.backlogBytes > BACKLOG_MAX_BYTES && m.backlog.length > 1) m.backlogBytes -= m.backlog.shift()!.byteLength;
  const first = m.backlog[0];
  if (m.backlogBytes > BACKLOG_MAX_BYTES && first) {
    const cut = first.indexOf(NEWLINE, m.backlogBytes - BACKLOG_MAX_BYTES);
    const from = cut === -1 ? m.backlogBytes - BACKLOG_MAX_BYTES : cut + 1;
    m.backlog[0] = first.subarray(from);
    m.backlogBytes -= from;
  }
}

/** Feeds the backlog to the terminal; `then` runs once all of it is parsed. */
function drain(m: Mirror, then?: () => void): void {
  for (const chunk of m.backlog) m.term.write(chunk);
  m.backlog = [];
  m.backlogBytes = 0;
  m.term.write('', then);
}

function schedule(m: Mirror): void {
  if (m.timer) return;
  m.timer = setTimeout(() => {
    m.timer = null;
    drain(m);
  }, PARSE_DELAY_MS);
}

port.on('message', (msg: MirrorRequest) => {
  if (msg.op === 'create') {
    const term = new headless.Terminal({ cols: msg.cols, rows: msg.rows, scrollback: msg.scrollback, allowProposedApi: true });
    const serializer = new serialize.SerializeAddon();
    term.loadAddon(serializer);
    // Wide characters (emoji, CJK) take the cells the studio's xterm gives them, or a restored screen would shift.
    term.loadAddon(new unicode11.Unicode11Addon());
    term.unicode.activeVersion = '11';
    const id = msg.id;
    term.onTitleChange((title) => reply({ op: 'title', id, title }));
    mirrors.set(msg.id, { term, serializer, backlog: [], backlogBytes: 0, timer: null });
    return;
  }
  const m = mirrors.get(msg.id);
  switch (msg.op) {
    case 'write':
      if (!m) return;
      m.backlog.push(msg.data);
      m.backlogBytes += msg.data.byteLength;
      trim(m);
      schedule(m);
      return;
    case 'resize':
      // Output written before the resize was laid out at the old size: parse it first.
      if (m) {
        drain(m);
        m.term.resize(msg.cols, msg.rows);
      }
      return;
    case 'serialize':
      if (!m) return reply({ op: 'serialized', request: msg.request, data: '' });
      drain(m, () => reply({ op: 'serialized', request: msg.request, data: m.serializer.serialize() }));
      return;
    case 'dispose':
      if (m?.timer) clearTimeout(m.timer);
      m?.term.dispose();
      mirrors.delete(msg.id);
      return;
  }
});
