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
 * (MiniMax M2 without reasoning_split). Tags may be cut anywhere between chunks. The reasoning
 * is trimmed and the answer after `</think>` loses its leading whitespace: MiniMax pads both
 * with newlines (`<think>\n…\n</think>\n\n`). Text outside tags is otherwise kept as sent.
 */
export class ThinkTagSplitter {
  #inside = false;
  #held = '';
  /** No reasoning character since `<think>`: leading whitespace is dropped. */
  #thinkingFresh = false;
  /** Whitespace at the end of the reasoning so far, sent only if more reasoning follows. */
  #thinkingSpace = '';
  /** No answer character since `</think>`: leading whitespace is dropped. */
  #afterClose = false;

  /** Feeds one content chunk; returns the pieces it completes. */
  push(chunk: string): ContentPiece[] {
    const out: ContentPiece[] = [];
    let s = this.#held + chunk;
    this.#held = '';
    while (s.length > 0) {
      const tag = this.#inside ? CLOSE : OPEN;
      const at = s.indexOf(tag);
      if (at >= 0) {
        if (at > 0) this.#piece(out, s.slice(0, at));
        if (this.#inside) {
          this.#thinkingSpace = '';
          this.#afterClose = true;
          out.push({ kind: 'thinking_end' });
        } else {
          this.#thinkingFresh = true;
          this.#thinkingSpace = '';
        }
        this.#inside = !this.#inside;
        s = s.slice(at + tag.length);
        continue;
      }
      const keep = partialTagAt(s, tag);
      if (s.length > keep) this.#piece(out, s.slice(0, s.length - keep));
      this.#held = s.slice(s.length - keep);
      break;
    }
    return out;
  }

  /** What is still held back when the stream ends (a lone `<thi` is text after all). */
  flush(): ContentPiece[] {
    const rest = this.#held;
    this.#held = '';
    const out: ContentPiece[] = [];
    if (rest) this.#piece(out, rest);
    return out;
  }

  /** Adds text of the current kind, trimming the padding around the reasoning and before the answer. */
  #piece(out: ContentPiece[], text: string): void {
    if (this.#inside) {
      let t = this.#thinkingFresh ? text.trimStart() : text;
      if (t === '') return;
      this.#thinkingFresh = false;
      t = this.#thinkingSpace + t;
      const body = t.trimEnd();
      this.#thinkingSpace = t.slice(body.length);
      if (body) out.push({ kind: 'thinking', text: body });
      return;
    }
    const t = this.#afterClose ? text.trimStart() : text;
    if (t === '') return;
    this.#afterClose = false;
    out.push({ kind: 'text', text: t });
  }
}
