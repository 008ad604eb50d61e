import { describe, expect, it } from 'vitest';
import { ThinkTagSplitter, type ContentPiece } from '../../server/src/providers/think-tags.js';

const run = (chunks: string[]): ContentPiece[] => {
  const s = new ThinkTagSplitter();
  return [...chunks.flatMap((c) => s.push(c)), ...s.flush()];
};
const text = (pieces: ContentPiece[], kind: 'text' | 'thinking') => pieces.map((p) => (p.kind === kind ? p.text : '')).join('');

describe('<think> tag splitting', () => {
  it('separates reasoning from the answer when both tags arrive whole', () => {
    const out = run(['<think>why</think>because']);
    expect(out).toEqual([{ kind: 'thinking', text: 'why' }, { kind: 'thinking_end' }, { kind: 'text', text: 'because' }]);
  });

  it('finds tags cut anywhere between chunks', () => {
    const source = '<think>a<b>c</think>d<e';
    for (let cut = 1; cut < source.length; cut++) {
      const out = run([source.slice(0, cut), source.slice(cut)]);
      expect(text(out, 'thinking'), `cut at ${cut}`).toBe('a<b>c');
      expect(text(out, 'text'), `cut at ${cut}`).toBe('d<e');
    }
  });

  it('leaves content without tags alone, a trailing "<thi" included', () => {
    expect(text(run(['plain ', 'text <thi']), 'text')).toBe('plain text <thi');
  });
});
