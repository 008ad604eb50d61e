/** Reads a `text/event-stream` response whole into its `data:` events (JSON-parsed). */
export async function readSse<T = any>(res: Response): Promise<T[]> {
  const text = await res.text();
  return text
    .split('\n\n')
    .map((block) => block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n'))
    .filter((data) => data.length > 0)
    .map((data) => JSON.parse(data) as T);
}

/** Reads a `text/event-stream` response as it arrives: wait for the event you expect, then go on. */
export class SseReader<T = any> {
  readonly seen: T[] = [];
  #next = 0;
  #buffer = '';
  #ended = false;
  readonly #reader: ReadableStreamDefaultReader<Uint8Array>;
  readonly #decoder = new TextDecoder();

  constructor(res: Response) {
    this.#reader = res.body!.getReader();
  }

  /** The next event matching `predicate` (events before it are kept in `seen`); throws when the stream ends first. */
  async until(predicate: (event: T) => boolean): Promise<T> {
    for (;;) {
      while (this.#next < this.seen.length) {
        const event = this.seen[this.#next++]!;
        if (predicate(event)) return event;
      }
      if (this.#ended) throw new Error(`the stream ended without the expected event; it sent ${JSON.stringify(this.seen)}`);
      await this.#read();
    }
  }

  /** Every event up to the end of the stream. */
  async rest(): Promise<T[]> {
    while (!this.#ended) await this.#read();
    const rest = this.seen.slice(this.#next);
    this.#next = this.seen.length;
    return rest;
  }

  cancel(): Promise<void> {
    return this.#reader.cancel();
  }

  async #read(): Promise<void> {
    const { done, value } = await this.#reader.read();
    if (done) {
      this.#ended = true;
      return;
    }
    this.#buffer += this.#decoder.decode(value, { stream: true });
    const blocks = this.#buffer.split('\n\n');
    this.#buffer = blocks.pop()!;
    for (const block of blocks) {
      const data = block.split('\n').filter((line) => line.startsWith('data: ')).map((line) => line.slice(6)).join('\n');
      if (data) this.seen.push(JSON.parse(data) as T);
    }
  }
}
