// The studio's markdown parser (web/src/studio/markdown): model answers in, a tree of plain
// objects out, rendered as text nodes and elements, never as an HTML string.
import { describe, expect, it } from 'vitest';
import { parseInline, safeHref, type Inline } from '../../../web/src/studio/markdown/inline';
import { parseMarkdown, type Block } from '../../../web/src/studio/markdown/markdown';

/** The only block of `source`, failing when there is not exactly one. */
function only(source: string): Block {
  const blocks = parseMarkdown(source);
  expect(blocks).toHaveLength(1);
  return blocks[0]!;
}

/** The inlines of a one-paragraph document. */
function para(source: string): Inline[] {
  const block = only(source);
  if (block.type !== 'paragraph') throw new Error(`expected a paragraph, got ${block.type}`);
  return block.children;
}

/** Every link anywhere in a tree of inlines. */
function linksIn(nodes: Inline[]): { href: string }[] {
  return nodes.flatMap((n) => (n.type === 'link' ? [{ href: n.href }, ...linksIn(n.children)] : 'children' in n ? linksIn(n.children) : []));
}

/** The text a tree of inlines shows, breaks as newlines. */
function textOf(nodes: Inline[]): string {
  return nodes.map((n) => (n.type === 'text' || n.type === 'code' ? n.text : n.type === 'break' ? '\n' : textOf(n.children))).join('');
}

const text = (t: string): Inline => ({ type: 'text', text: t });

describe('blocks', () => {
  it('reads ATX headings of every level, with and without a closing sequence', () => {
    expect(parseMarkdown('# One\n## Two ##\n###### Six')).toEqual([
      { type: 'heading', level: 1, children: [text('One')] },
      { type: 'heading', level: 2, children: [text('Two')] },
      { type: 'heading', level: 6, children: [text('Six')] },
    ]);
  });

  it('leaves #hashtags and seven hashes as paragraphs', () => {
    expect(only('#hashtag').type).toBe('paragraph');
    expect(only('####### seven').type).toBe('paragraph');
  });

  it('parses inline markup inside a heading', () => {
    expect(only('## Use `npm ci` **now**')).toEqual({
      type: 'heading',
      level: 2,
      children: [text('Use '), { type: 'code', text: 'npm ci' }, text(' '), { type: 'strong', children: [text('now')] }],
    });
  });

  it('reads a fenced code block with its language, keeping the body verbatim', () => {
    const source = '```TypeScript\nconst a = **b** < c;\n\n  indented();\n```';
    expect(only(source)).toEqual({ type: 'code', lang: 'typescript', text: 'const a = **b** < c;\n\n  indented();', closed: true });
  });

  it('reads tilde fences and fences without a language', () => {
    expect(only('~~~\nplain\n~~~')).toEqual({ type: 'code', lang: '', text: 'plain', closed: true });
  });

  it('closes a fence only with a run of the same character at least as long', () => {
    const block = only('````md\n```js\nx\n```\n~~~\n````');
    expect(block).toEqual({ type: 'code', lang: 'md', text: '```js\nx\n```\n~~~', closed: true });
  });

  it('goes on with the document after a closed fence', () => {
    const blocks = parseMarkdown('Before:\n```sh\nls\n```\nAfter.');
    expect(blocks.map((b) => b.type)).toEqual(['paragraph', 'code', 'paragraph']);
    expect(blocks[2]).toEqual({ type: 'paragraph', children: [text('After.')] });
  });

  it('shows an unclosed fence (an answer still streaming) as an open code block to the end', () => {
    const blocks = parseMarkdown('Here:\n\n```python\ndef f():\n    return 1\n``');
    expect(blocks).toHaveLength(2);
    expect(blocks[1]).toEqual({ type: 'code', lang: 'python', text: 'def f():\n    return 1\n``', closed: false });
  });

  it('keeps markdown inside an unclosed fence as code, not as blocks', () => {
    const block = only('```\n# not a heading\n- not a list');
    expect(block).toEqual({ type: 'code', lang: '', text: '# not a heading\n- not a list', closed: false });
  });

  it('parses every prefix of a streamed answer, an opened fence staying one code block', () => {
    const answer = 'Intro **bold**\n\n```js\nlet x = 1;\nlet y = 2;\n```\n\nDone.';
    for (let n = 1; n <= answer.length; n++) {
      // No prefix may throw, and once the fence opened it stays one block.
      const blocks = parseMarkdown(answer.slice(0, n));
      if (n > answer.indexOf('```') + 3) expect(blocks.filter((b) => b.type === 'code')).toHaveLength(1);
    }
    expect(parseMarkdown(answer).map((b) => b.type)).toEqual(['paragraph', 'code', 'paragraph']);
  });

  it('reads a bullet list, items holding their inlines', () => {
    expect(only('- one\n- *two*\n- three')).toEqual({
      type: 'list',
      ordered: false,
      start: 1,
      items: [
        [{ type: 'paragraph', children: [text('one')] }],
        [{ type: 'paragraph', children: [{ type: 'em', children: [text('two')] }] }],
        [{ type: 'paragraph', children: [text('three')] }],
      ],
    });
  });

  it('reads an ordered list with its start number', () => {
    const block = only('3. c\n4. d');
    expect(block).toMatchObject({ type: 'list', ordered: true, start: 3 });
    if (block.type === 'list') expect(block.items).toHaveLength(2);
  });

  it('nests an indented list inside its item, and a code fence too', () => {
    const block = only('- outer\n  - inner\n  ```sh\n  echo hi\n  ```');
    if (block.type !== 'list') throw new Error('expected a list');
    expect(block.items).toHaveLength(1);
    const item = block.items[0]!;
    expect(item.map((b) => b.type)).toEqual(['paragraph', 'list', 'code']);
    expect(item[1]).toMatchObject({ type: 'list', items: [[{ type: 'paragraph', children: [text('inner')] }]] });
    expect(item[2]).toEqual({ type: 'code', lang: 'sh', text: 'echo hi', closed: true });
  });

  it('does not make "2 * 3" or a bullet with no space a list', () => {
    expect(only('-not a list').type).toBe('paragraph');
    expect(only('2 * 3 = 6').type).toBe('paragraph');
  });

  it('reads block quotes, with lazy continuation, and rules', () => {
    expect(parseMarkdown('> quoted\nlazy\n\n---')).toEqual([
      { type: 'quote', children: [{ type: 'paragraph', children: [text('quoted'), { type: 'break' }, text('lazy')] }] },
      { type: 'rule' },
    ]);
  });

  it('reads a GFM table with alignment, padding short rows and keeping escaped pipes', () => {
    const block = only('| a | b | c |\n|:--|:-:|--:|\n| 1 | `x|y` | 3 |\n| only \\| one |');
    if (block.type !== 'table') throw new Error(`expected a table, got ${block.type}`);
    expect(block.align).toEqual(['left', 'center', 'right']);
    expect(block.head).toEqual([[text('a')], [text('b')], [text('c')]]);
    expect(block.rows).toEqual([
      [[text('1')], [{ type: 'code', text: 'x|y' }], [text('3')]],
      [[text('only | one')], [], []],
    ]);
  });

  it('does not take a line with a pipe for a table without a delimiter row', () => {
    expect(only('a | b\nc | d').type).toBe('paragraph');
  });

  it('stops at the nesting limit instead of recursing without end', () => {
    const deep = '> '.repeat(5_000) + 'bottom';
    const blocks = parseMarkdown(deep);
    let depth = 0;
    let node: Block | undefined = blocks[0];
    while (node?.type === 'quote') {
      depth++;
      node = node.children[0];
    }
    expect(depth).toBeGreaterThan(0);
    expect(depth).toBeLessThan(100);
    expect(node?.type).toBe('paragraph');
  });

  it('reads CRLF input like LF', () => {
    expect(parseMarkdown('# T\r\n\r\n- a\r\n- b')).toEqual(parseMarkdown('# T\n\n- a\n- b'));
  });
});

describe('inlines', () => {
  it('reads strong, emphasis, strikethrough and their combinations', () => {
    expect(para('**b** *i* _j_ __k__ ~~d~~ ***bi***')).toEqual([
      { type: 'strong', children: [text('b')] },
      text(' '),
      { type: 'em', children: [text('i')] },
      text(' '),
      { type: 'em', children: [text('j')] },
      text(' '),
      { type: 'strong', children: [text('k')] },
      text(' '),
      { type: 'del', children: [text('d')] },
      text(' '),
      { type: 'strong', children: [{ type: 'em', children: [text('bi')] }] },
    ]);
  });

  it('leaves snake_case_names, spaced asterisks and unmatched delimiters as text', () => {
    expect(para('call snake_case_name now')).toEqual([text('call snake_case_name now')]);
    expect(para('2 * 3 * 4')).toEqual([text('2 * 3 * 4')]);
    expect(para('**not closed')).toEqual([text('**not closed')]);
  });

  it('reads inline code verbatim, markup inside it staying text', () => {
    expect(para('run `rm -rf *tmp*` and ``a ` b``')).toEqual([
      text('run '),
      { type: 'code', text: 'rm -rf *tmp*' },
      text(' and '),
      { type: 'code', text: 'a ` b' },
    ]);
  });

  it('does not end emphasis at a delimiter inside a code span', () => {
    expect(para('*see `a*b` here*')).toEqual([{ type: 'em', children: [text('see '), { type: 'code', text: 'a*b' }, text(' here')] }]);
  });

  it('keeps an unterminated backtick as text (a streaming code span)', () => {
    expect(para('type `npm i')).toEqual([text('type `npm i')]);
  });

  it('honours backslash escapes', () => {
    expect(para('\\*not em\\* and \\[x\\](y)')).toEqual([text('*not em* and [x](y)')]);
  });

  it('makes a newline a line break', () => {
    expect(para('one  \ntwo')).toEqual([text('one'), { type: 'break' }, text('two')]);
  });

  it('reads links with a title and with parentheses in the target', () => {
    expect(para('[docs](https://example.com/a "Title") and [wiki](https://en.wikipedia.org/wiki/Foo_(bar))')).toEqual([
      { type: 'link', href: 'https://example.com/a', children: [text('docs')] },
      text(' and '),
      { type: 'link', href: 'https://en.wikipedia.org/wiki/Foo_(bar)', children: [text('wiki')] },
    ]);
  });

  it('parses markup inside a link label', () => {
    expect(para('[**bold** link](mailto:a@b.c)')).toEqual([
      { type: 'link', href: 'mailto:a@b.c', children: [{ type: 'strong', children: [text('bold')] }, text(' link')] },
    ]);
  });

  it('never nests a link inside a link: a URL or autolink in a label stays text of the outer link', () => {
    // Nested <a> is invalid HTML (no interactive content inside a link); models often write [https://x](https://x).
    for (const source of ['[https://a.example/doc](https://b.example)', '[see <https://a.example>](https://b.example)', '[**[inner](https://a.example)**](https://b.example)']) {
      const [outer, ...rest] = para(source);
      expect(rest).toEqual([]);
      expect(outer).toMatchObject({ type: 'link', href: 'https://b.example' });
      if (outer?.type === 'link') expect(linksIn(outer.children)).toEqual([]);
    }
    expect(textOf(para('[https://a.example/doc](https://b.example)'))).toBe('https://a.example/doc');
  });

  it('links autolinks and bare URLs, leaving sentence punctuation and an outer parenthesis out', () => {
    expect(linksIn(para('<https://a.example/x> and see https://b.example/y. (or https://c.example/z)'))).toEqual([
      { href: 'https://a.example/x' },
      { href: 'https://b.example/y' },
      { href: 'https://c.example/z' },
    ]);
  });

  it.each([
    ['javascript:', '[click](javascript:alert(1))'],
    ['upper-case JAVASCRIPT:', '[click](JAVASCRIPT:alert(1))'],
    ['a scheme hidden by a tab', '[click](java\tscript:alert(1))'],
    ['angle brackets around javascript:', '[click](<javascript:alert(1)>)'],
    ['data:', '[click](data:text/html;base64,PHNjcmlwdD4=)'],
    ['vbscript:', '[click](vbscript:msgbox)'],
    ['a relative path', '[click](/api/admin)'],
    ['an autolink with javascript:', '<javascript:alert(1)>'],
  ])('does not make a link of %s, keeping its text', (_what, source) => {
    const nodes = para(source);
    expect(linksIn(nodes)).toEqual([]);
    if (source.startsWith('[')) expect(textOf(nodes)).toBe('click');
  });

  it('makes an image a link to it (nothing fetched), and an unsafe image only its description', () => {
    expect(para('![chart](https://x.example/c.png)')).toEqual([{ type: 'link', href: 'https://x.example/c.png', children: [text('🖼 chart')] }]);
    expect(para('![chart](javascript:alert(1))')).toEqual([text('chart')]);
  });

  it('keeps raw HTML as the text it is', () => {
    const source = '<img src=x onerror=alert(1)> <script>alert(1)</script> <a href="javascript:x">y</a>';
    const nodes = para(source);
    expect(nodes.every((n) => n.type === 'text')).toBe(true);
    expect(textOf(nodes)).toBe(source);
  });

  it('keeps HTML in headings, list items, table cells and code as text', () => {
    const blocks = parseMarkdown('# <b>h</b>\n\n- <i>x</i>\n\n| <u>c</u> |\n|---|\n\n```html\n<p>code</p>\n```');
    expect(blocks[0]).toEqual({ type: 'heading', level: 1, children: [text('<b>h</b>')] });
    expect(blocks[1]).toMatchObject({ items: [[{ type: 'paragraph', children: [text('<i>x</i>')] }]] });
    expect(blocks[2]).toMatchObject({ head: [[text('<u>c</u>')]] });
    expect(blocks[3]).toMatchObject({ type: 'code', text: '<p>code</p>' });
  });

  it('stays fast on long runs of unmatched delimiters and brackets, keeping them as text', () => {
    for (const hostile of ['**a '.repeat(20_000), '_b '.repeat(20_000), '~~c '.repeat(20_000), '[d '.repeat(20_000) + ']']) {
      const start = performance.now();
      const nodes = parseInline(hostile);
      expect(performance.now() - start).toBeLessThan(2_000);
      // Compared as a boolean: a diff of 80 kB would drown the report.
      expect(textOf(nodes) === hostile).toBe(true);
    }
  });
});

describe('safeHref', () => {
  it('keeps http, https and mailto targets, trimmed and unwrapped', () => {
    expect(safeHref(' https://a.example/ ')).toBe('https://a.example/');
    expect(safeHref('<http://a.example>')).toBe('http://a.example');
    expect(safeHref('MAILTO:x@y.z')).toBe('MAILTO:x@y.z');
  });

  it('refuses other schemes and control characters', () => {
    for (const href of ['javascript:alert(1)', 'file:///etc/passwd', 'https://a.example/\u0000x', 'java\nscript:x', '//evil.example', '']) {
      expect(safeHref(href)).toBeNull();
    }
  });
});
