/**
 * A read-only window onto the terminals for the browser tests (`window.__atelierTerminals`):
 * they check what xterm holds in its buffer, which the DOM renderer only partly shows.
 */
import type { Terminal } from '@xterm/xterm';

/** What the tests can read. */
export interface TerminalsProbe {
  /** The buffer text (scrollback and screen) of the tab with this key; wrapped rows are joined into their line. */
  text(key: string): string | null;
  /** Keys of the terminals on the page now. */
  keys(): string[];
}

declare global {
  interface Window {
    __atelierTerminals?: TerminalsProbe;
  }
}

const terminals = new Map<string, Terminal>();

function bufferText(term: Terminal): string {
  const buffer = term.buffer.active;
  const lines: string[] = [];
  for (let i = 0; i < buffer.length; i++) {
    const line = buffer.getLine(i);
    // Trailing blanks matter only when the line goes on in the next row.
    const text = line?.translateToString(!buffer.getLine(i + 1)?.isWrapped) ?? '';
    if (line?.isWrapped && lines.length > 0) lines[lines.length - 1] += text;
    else lines.push(text);
  }
  return lines.join('\n');
}

window.__atelierTerminals = {
  text: (key) => {
    const term = terminals.get(key);
    return term ? bufferText(term) : null;
  },
  keys: () => [...terminals.keys()],
};

/** Makes a terminal readable by the tests; returns the function that forgets it. */
export function exposeTerminal(key: string, term: Terminal): () => void {
  terminals.set(key, term);
  return () => {
    if (terminals.get(key) === term) terminals.delete(key);
  };
}
