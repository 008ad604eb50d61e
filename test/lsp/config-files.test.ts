// Merging into editor files: JSON(C) key by key with comments kept, text files through one marked block.
import { describe, expect, it } from 'vitest';
import { mergeBlock, mergeJson } from '../../server/src/lsp/config-files.js';
import { luaString, mergeList, planEditorConfig, tomlString } from '../../server/src/lsp/editor-config.js';

const block = (body: string, conflicts?: (outside: string) => string | null) => ({ kind: 'block' as const, relPath: 'x', comment: '#', body, conflicts });

describe('JSON files', () => {
  it('sets a nested key, keeping comments, trailing commas and the indentation in use', () => {
    const before = '{\n    // mine\n    "theme": "One Dark",\n}\n';
    const after = mergeJson(before, [{ path: ['lsp', 'gopls', 'binary'], update: () => ({ path: '/bin/gopls', arguments: [] }) }], 'settings.json');
    expect(after).toContain('    // mine\n    "theme": "One Dark"');
    expect(after).toMatch(/\n {4}"lsp": \{\n {8}"gopls": \{/);
  });

  it('starts an empty or missing file as an object', () => {
    expect(JSON.parse(mergeJson('', [{ path: ['a'], update: () => 1 }], 'f'))).toEqual({ a: 1 });
    expect(JSON.parse(mergeJson('  \n', [{ path: ['a'], update: () => 1 }], 'f'))).toEqual({ a: 1 });
  });

  it('leaves the text alone when nothing changes', () => {
    const text = '{ "recommendations": ["a"] } // same\n';
    expect(mergeJson(text, [{ path: ['recommendations'], update: (c) => mergeList(c, ['a']) }], 'f')).toBe(text);
  });

  it('refuses malformed JSON, a non-object root and a key that is not an object where one is needed', () => {
    expect(() => mergeJson('{ "a": }', [], 'f.json')).toThrow(/^f\.json is not valid JSON: ValueExpected at offset 7; it was left unchanged$/);
    expect(() => mergeJson('[1]', [], 'f.json')).toThrow(/does not hold a JSON object/);
    expect(() => mergeJson('{ "lsp": 5 }', [{ path: ['lsp', 'x'], update: () => 1 }], 'f.json')).toThrow(/has "lsp" that is not an object/);
  });
});

describe('lists in settings', () => {
  it('adds missing names before "...", keeps the order, and respects a disabled "!name"', () => {
    expect(mergeList(undefined, ['a', 'b'], '...')).toEqual(['a', 'b', '...']);
    expect(mergeList(['x', '...'], ['a'], '...')).toEqual(['x', 'a', '...']);
    expect(mergeList(['!a', 'x'], ['a', 'b'], '...')).toEqual(['!a', 'x', 'b']);
    expect(mergeList(['a'], ['a', 'b'])).toEqual(['a', 'b']);
  });
});

describe('marked blocks', () => {
  it('appends the block after what is there, separated by a blank line', () => {
    expect(mergeBlock('a = 1\n', block('b = 2'), 'f').content).toBe('a = 1\n\n# >>> atelier lsp >>>\nb = 2\n# <<< atelier lsp <<<\n');
    expect(mergeBlock('', block('b = 2'), 'f').content).toBe('# >>> atelier lsp >>>\nb = 2\n# <<< atelier lsp <<<\n');
  });

  it('replaces the block in place, keeping what is before and after it', () => {
    const text = 'a = 1\n# >>> atelier lsp >>>\nold = 1\n# <<< atelier lsp <<<\nc = 3\n';
    const merged = mergeBlock(text, block('new = 2'), 'f');
    expect(merged.content).toBe('a = 1\n# >>> atelier lsp >>>\nnew = 2\n# <<< atelier lsp <<<\nc = 3\n');
    expect(merged.outside).toBe('a = 1\nc = 3\n');
  });

  it('refuses a start marker without its end', () => {
    expect(() => mergeBlock('# >>> atelier lsp >>>\nx = 1\n', block('y'), 'f.toml')).toThrow(/^f\.toml has the line "# >>> atelier lsp >>>" but not the line "# <<< atelier lsp <<<"/);
  });
});

describe('Helix conflicts', () => {
  const helixPlan = () => {
    const spec: any = { id: 'bash', command: 'bash-language-server', args: ['start'], editors: { helix: { language_server: 'bash-language-server', languages: ['bash'] } } };
    const file = planEditorConfig('helix', [{ spec, path: '/p/bash-language-server' }], {}).files[0]!;
    if (file.kind !== 'block') throw new Error('expected a block');
    return file.conflicts!;
  };

  it('sees the same server defined as a table, an inline table or dotted keys', () => {
    const conflicts = helixPlan();
    expect(conflicts('[language-server.bash-language-server]\ncommand = "x"\n')).toMatch(/already defines/);
    expect(conflicts('[language-server."bash-language-server"]\n')).toMatch(/already defines/);
    expect(conflicts('[language-server]\nbash-language-server = { command = "x" }\n')).toMatch(/already defines/);
    expect(conflicts('language-server.bash-language-server.command = "x"\n')).toMatch(/already defines/);
  });

  it('accepts sub-tables, other servers and [[language]] entries', () => {
    const conflicts = helixPlan();
    expect(conflicts('[language-server.bash-language-server.config]\nx = 1\n[language-server.pyright]\ncommand = "p"\n[[language]]\nname = "bash"\nauto-format = true\n')).toBeNull();
  });
});

describe('escaping', () => {
  it('quotes Lua and TOML strings', () => {
    expect(luaString("C:\\it's\n")).toBe("'C:\\\\it\\'s\\n'");
    expect(tomlString('a"b\\c\u007f')).toBe('"a\\"b\\\\c\\u007F"');
  });
});
