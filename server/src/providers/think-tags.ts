/** A piece of content, sorted: answer text, reasoning, or the point where reasoning closed. */
export type ContentPiece = { kind: 'text' | 'thinking'; text: string } | { kind: 'thinking_end' };

const OPEN = '<think>';
const CLOSE = '</think>';

/** Length of the longest end of `s` that could begin `tag` (so a tag split across chunks is held back). */
function partialTagAt(s: string, tag: string): number {
  for (let n = Math.min(tag.length - 1, s.length); n > 0; n--) if (tag.startsWith(s.slice(-n))) return n;
  return 0;
}

/**
 * Splits `<think>…</think>` out of streamed content, for models that inline their reasoning
 * (MiniMax M2 without reasoning_split). Tags may be cut anywhere between chunks.
 */
export class ThinkTagSplitter {
  #inside = false;
  #held = '';

  /** Feeds one content chunk; returns the pieces it completes. */
  push(chunk: string): ContentPiece[] {
    const out: ContentPiece[] = [];
    let s = this.#held + chunk;
    this.#held = '';
    while (s.length > 0) {
      const tag = this.#inside ? CLOSE : OPEN;
      const at = s.indexOf(tag);
      if (at >= 0) {
        if (at > 0) out.push({ kind: this.#inside ? 'thinking' : 'text', text: s.slice(0, at) });
        if (this.#inside) out.push({ kind: 'thinking_end' });
        this.#inside = !this.#inside;
        s = s.slice(at + tag.length);
        continue;
      }
      const keep = partialTagAt(s, tag);
      if (s.length > keep) out.push({ kind: this.#inside ? 'thinking' : 'text', text: s.slice(0, s.length - keep) });
      this.#held = s.slice(s.length - keep);
      break;
    }
    return out;
  }

  /** What is still held back when the stream ends (a lone `<thi` is text after all). */
  flush(): ContentPiece[] {
    const rest = this.#held;
    this.#held = '';
    return rest ? [{ kind: this.#inside ? 'thinking' : 'text', text: rest }] : [];
  }
}
