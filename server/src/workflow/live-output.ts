/**
 * The running step's output as it streams: the last `maxChars` characters kept as a list of
 * chunks, so appending is linear in what arrives (no copy of a growing string per chunk) and
 * joining happens only when someone reads the text.
 */
export class LiveOutput {
  #chunks: string[] = [];
  /** Index of the first chunk still kept; dropped chunks are compacted away in batches. */
  #first = 0;
  /** Characters in the kept chunks (may exceed `maxChars` by less than one chunk). */
  #kept = 0;
  #dropped = false;
  #joined: string | null = '';

  constructor(private readonly maxChars: number) {}

  /** Adds what just streamed, dropping whole chunks from the front once the rest still holds `maxChars`. */
  append(text: string): void {
    if (!text) return;
    this.#chunks.push(text);
    this.#kept += text.length;
    this.#joined = null;
    while (this.#kept - this.#chunks[this.#first]!.length >= this.maxChars) {
      this.#kept -= this.#chunks[this.#first]!.length;
      this.#first += 1;
      this.#dropped = true;
    }
    // Compact when half the array is dropped chunks: amortised O(1) per chunk.
    if (this.#first > 1024 && this.#first * 2 > this.#chunks.length) {
      this.#chunks = this.#chunks.slice(this.#first);
      this.#first = 0;
    }
  }

  /** True once the front of the output was let go (the text is the end of what streamed). */
  get truncated(): boolean {
    return this.#dropped;
  }

  /** The last `maxChars` characters that streamed. */
  text(): string {
    if (this.#joined === null) {
      const all = this.#chunks.slice(this.#first).join('');
      this.#joined = all.length > this.maxChars ? all.slice(-this.maxChars) : all;
      if (all.length > this.maxChars) this.#dropped = true;
    }
    return this.#joined;
  }
}

/** Characters at the end of the stream looked for in a step's final output to find where the stream stopped. */
const STREAM_END_MATCH_CHARS = 1024;

/** The bracketed lines a tool result ends with (`[exit code 0]`, `[output was …]`). */
const TRAILING_NOTES = /(?:^|\n)(?:\[[^\n]*\]\n?)+$/;

/**
 * What a step's final output holds past what streamed: the exit line, the cap's note, a sudo
 * refusal, or a tool's whole answer. The final output may not start with the stream (the
 * tool's cap cut its middle, or the live buffer let its start go), so the stream's end is
 * found in it; failing that, its trailing bracketed notes are what the stream lacks.
 */
export function unstreamed(live: LiveOutput, final: string): string {
  const shown = live.text();
  if (!live.truncated && final.startsWith(shown)) return final.slice(shown.length);
  const end = shown.slice(-STREAM_END_MATCH_CHARS);
  const at = end ? final.lastIndexOf(end) : -1;
  if (at >= 0) return final.slice(at + end.length);
  const notes = (TRAILING_NOTES.exec(final)?.[0] ?? '').replace(/^\n/, '');
  return notes && shown && !shown.endsWith('\n') ? `\n${notes}` : notes;
}
