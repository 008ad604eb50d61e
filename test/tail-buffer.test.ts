import { describe, expect, it } from 'vitest';
import { TailBuffer } from '../server/src/tail-buffer.js';

const bytes = (text: string): Uint8Array => new TextEncoder().encode(text);
const text = (data: Uint8Array): string => new TextDecoder().decode(data);

describe('tail buffer', () => {
  it('keeps everything pushed while under its cap, in order', () => {
    const tail = new TailBuffer(1024);
    tail.push(bytes('hello '));
    tail.push(bytes('world'));
    expect(tail.size).toBe(11);
    expect(text(tail.take())).toBe('hello world');
  });

  it('keeps only the newest cap bytes once more was pushed, oldest first', () => {
    const tail = new TailBuffer(10);
    for (const piece of ['abcd', 'efgh', 'ijkl', 'mnop']) tail.push(bytes(piece));
    expect(tail.total).toBe(16);
    expect(tail.size).toBe(10);
    expect(text(tail.take())).toBe('ghijklmnop');
  });

  it('wraps exactly at the cap without losing or repeating a byte', () => {
    const tail = new TailBuffer(8);
    tail.push(bytes('12345678'));
    tail.push(bytes('9'));
    expect(text(tail.take())).toBe('23456789');
  });

  it('keeps the end of a chunk bigger than the cap', () => {
    const tail = new TailBuffer(4);
    tail.push(bytes('xy'));
    tail.push(bytes('0123456789'));
    expect(text(tail.take())).toBe('6789');
  });

  it('grows past its first capacity up to the cap (a flood of a few MB)', () => {
    const cap = 4 * 1024 * 1024;
    const tail = new TailBuffer(cap);
    const chunk = new Uint8Array(100_000);
    for (let i = 0; i < 60; i++) tail.push(chunk.fill(i));
    const out = tail.take();
    expect(out.length).toBe(cap);
    expect(out.at(-1)).toBe(59);
    // The oldest kept byte is from the chunk `cap` bytes before the end.
    expect(out[0]).toBe(Math.floor((60 * 100_000 - cap) / 100_000));
  });

  it('is empty after take, and its taken buffer is not reused', () => {
    const tail = new TailBuffer(16);
    tail.push(bytes('first'));
    const first = tail.take();
    tail.push(bytes('second'));
    expect(tail.total).toBe(6);
    expect(text(first)).toBe('first');
    expect(text(tail.take())).toBe('second');
    expect(tail.take().length).toBe(0);
  });

  it('reads its newest bytes as text without emptying, wrapped or not (a stderr tail read more than once)', () => {
    const tail = new TailBuffer(8);
    tail.push(bytes('abc'));
    expect(tail.text()).toBe('abc');
    tail.push(bytes('defghij'));
    expect(tail.text()).toBe('cdefghij');
    expect(tail.text()).toBe('cdefghij');
    expect(text(tail.take())).toBe('cdefghij');
  });

  it('takes only its last lines when asked, across the wrap, and everything when it holds fewer', () => {
    const tail = new TailBuffer(12);
    tail.push(bytes('one\ntwo\nthree\nfour')); // 18 bytes: keeps 'o\nthree\nfour', wrapped
    expect(text(tail.take(2))).toBe('three\nfour');
    tail.push(bytes('a\nb\nc\n'));
    expect(text(tail.take(2))).toBe('c\n'); // the line after the last newline is the cursor's, empty
    tail.push(bytes('ab\ncd'));
    expect(text(tail.take(5))).toBe('ab\ncd');
    tail.push(bytes('x\nyyyyyyyyyy\nz')); // wraps so that the newest newline is in the older segment's end
    expect(text(tail.take(1))).toBe('z');
    tail.push(bytes('0123456789\nab')); // the newline right at the wrap point
    expect(text(tail.take(1))).toBe('ab');
    expect(tail.take().length).toBe(0);
  });

  it('finds the last lines on both sides of the wrap point', () => {
    const at = (...chunks: string[]): TailBuffer => {
      const tail = new TailBuffer(8);
      for (const c of chunks) tail.push(bytes(c));
      return tail;
    };
    // 'ab\ncd' then 'ef\ngh': keeps '\ncdef\ngh', its newlines both in the older part
    expect(text(at('ab\ncd', 'ef\ngh').take(1))).toBe('gh');
    expect(text(at('ab\ncd', 'ef\ngh').take(2))).toBe('cdef\ngh');
    expect(text(at('ab\ncd', 'ef\ngh').take(3))).toBe('\ncdef\ngh');
    // 'ab\ncd' then 'ef\ng\nh': keeps 'cdef\ng\nh', one newline on each side
    expect(text(at('ab\ncd', 'ef\ng\nh').take(1))).toBe('h');
    expect(text(at('ab\ncd', 'ef\ng\nh').take(2))).toBe('g\nh');
    expect(text(at('ab\ncd', 'ef\ng\nh').take(3))).toBe('cdef\ng\nh');
  });
});

