const NEWLINE = 0x0a;

/** Capacity of a fresh tail buffer; it doubles as output arrives (a trickle stays small)... */
const INITIAL_CAPACITY_BYTES = 16 * 1024;
/**
 * ...and past this goes straight to its cap: a flood has begun, and each step of growth would
 * leave a promoted buffer behind for the next full collection.
 */
const FLOOD_CAPACITY_BYTES = 256 * 1024;

/**
 * The newest `cap` bytes of a stream (a terminal's output for its mirror, a language server's or
 * an MCP server's stderr), copied into one buffer that grows to `cap` and then wraps.
 * Copying is the point: a chunk pushed here can be garbage at once. Holding the chunks
 * themselves during a flood kept megabytes of them alive across young-generation collections,
 * so V8 promoted them and ran a full mark-compact every ~10 MB of output (measured: 5–7 per
 * 42 MB transfer, taking helper-thread CPU from the PTY), where a copy costs one memcpy.
 */
export class TailBuffer {
  #buf = new Uint8Array(0);
  /** Where the next byte goes (once wrapped, also where the oldest kept byte is). */
  #end = 0;
  #wrapped = false;
  /** Every byte pushed since the last take(), kept or not. */
  #total = 0;

  constructor(readonly cap: number) {}

  /** Bytes kept: the newest min(pushed, cap). */
  get size(): number {
    return this.#wrapped ? this.#buf.length : this.#end;
  }

  /** Bytes pushed since the last take(), including those dropped for space. */
  get total(): number {
    return this.#total;
  }

  push(chunk: Uint8Array): void {
    this.#total += chunk.length;
    if (chunk.length >= this.cap) {
      this.#buf = new Uint8Array(this.cap);
      this.#buf.set(chunk.subarray(chunk.length - this.cap));
      this.#end = 0;
      this.#wrapped = true;
      return;
    }
    if (!this.#wrapped) this.#grow(this.#end + chunk.length);
    const buf = this.#buf;
    const first = Math.min(chunk.length, buf.length - this.#end);
    buf.set(chunk.subarray(0, first), this.#end);
    if (first === chunk.length) {
      this.#end += first;
      if (this.#end === buf.length && buf.length === this.cap) {
        this.#end = 0;
        this.#wrapped = true;
      }
      return;
    }
    buf.set(chunk.subarray(first), 0);
    this.#end = chunk.length - first;
    this.#wrapped = true;
  }

  /**
   * The kept bytes, oldest first, in a new buffer of their exact size (free to transfer); then
   * empties. With `lines`, only those after the `lines`-th newline from the end (all of them if
   * there are fewer): only that much is copied.
   */
  take(lines?: number): Uint8Array {
    const from = lines === undefined ? 0 : this.#startOfLastLines(lines);
    const out = from === 0 && this.#buf.length === this.#end && !this.#wrapped ? this.#buf : this.#copy(from);
    this.#buf = new Uint8Array(0);
    this.#end = 0;
    this.#wrapped = false;
    this.#total = 0;
    return out;
  }

  /** The kept bytes as UTF-8 text (a character cut at the start shows as U+FFFD); keeps them. */
  text(): string {
    return Buffer.from(this.#copy()).toString('utf8');
  }

  /** The kept bytes from the `from`-th oldest on, oldest first, in a new buffer. */
  #copy(from = 0): Uint8Array {
    const [older, newer] = this.#segments();
    if (from >= older.length) return newer.slice(from - older.length);
    const out = new Uint8Array(older.length + newer.length - from);
    out.set(older.subarray(from));
    out.set(newer, older.length - from);
    return out;
  }

  /** The kept bytes as two views, older then newer (the first is empty until the buffer wraps). */
  #segments(): [Uint8Array, Uint8Array] {
    const buf = this.#buf;
    return this.#wrapped ? [buf.subarray(this.#end), buf.subarray(0, this.#end)] : [buf.subarray(0, 0), buf.subarray(0, this.#end)];
  }

  /** Where the last `lines` lines start, counted from the oldest kept byte; 0 if fewer are kept. */
  #startOfLastLines(lines: number): number {
    const [older, newer] = this.#segments();
    let found = 0;
    for (const [segment, offset] of [[newer, older.length], [older, 0]] as const) {
      const bytes = Buffer.from(segment.buffer, segment.byteOffset, segment.length);
      for (let at = bytes.length; at > 0; ) {
        at = bytes.lastIndexOf(NEWLINE, at - 1);
        if (at < 0) break;
        if (++found === lines) return offset + at + 1;
      }
    }
    return 0;
  }

  /** Makes room for `needed` bytes before wrapping: doubles, then jumps to the cap. */
  #grow(needed: number): void {
    if (needed <= this.#buf.length || this.#buf.length === this.cap) return;
    let capacity = Math.max(this.#buf.length, INITIAL_CAPACITY_BYTES);
    while (capacity < needed) capacity *= 2;
    if (capacity > FLOOD_CAPACITY_BYTES) capacity = this.cap;
    const next = new Uint8Array(Math.min(capacity, this.cap));
    next.set(this.#buf.subarray(0, this.#end));
    this.#buf = next;
  }
}
