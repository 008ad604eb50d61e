// The minimal-edit writer under every editor config change: one entry in, out or replaced,
// every other byte (comments, trailing commas, indentation, key order) exactly as it was.
import { describe, expect, it } from 'vitest';
import { editProperty, parseJson } from '../../server/src/mcp/jsonc-edit.js';

const entry = { command: 'npx', args: ['-y', 'pkg'] };

describe('adding an entry', () => {
  it('appends after the last entry and leaves the neighbours and their comments untouched', () => {
    const text = '{\n  "mcpServers": {\n    // mine\n    "a": { "command": "x" } // keep me\n  },\n  "other": 1\n}\n';
    const out = editProperty(text, 'jsonc', 'mcpServers', 'fs', entry);
    expect(out).toBe(
      '{\n  "mcpServers": {\n    // mine\n    "a": { "command": "x" }, // keep me\n    "fs": {\n      "command": "npx",\n      "args": [\n        "-y",\n        "pkg"\n      ]\n    }\n  },\n  "other": 1\n}\n',
    );
  });

  it('keeps a trailing-comma style and adds one after the new entry', () => {
    const text = '{\n  "s": {\n    "a": 1,\n  },\n}\n';
    expect(editProperty(text, 'jsonc', 's', 'b', 2)).toBe('{\n  "s": {\n    "a": 1,\n    "b": 2,\n  },\n}\n');
  });

  it('creates the servers object, in the file\'s own indentation and line endings', () => {
    const text = '{\r\n\t"theme": "dark"\r\n}\r\n';
    expect(editProperty(text, 'json', 'mcpServers', 'fs', { command: 'x' })).toBe('{\r\n\t"theme": "dark",\r\n\t"mcpServers": {\r\n\t\t"fs": {\r\n\t\t\t"command": "x"\r\n\t\t}\r\n\t}\r\n}\r\n');
  });

  it('fills an empty object and an empty file', () => {
    expect(editProperty('{\n  "s": {}\n}\n', 'json', 's', 'a', 1)).toBe('{\n  "s": {\n    "a": 1\n  }\n}\n');
    expect(editProperty('', 'json', 's', 'a', 1)).toBe('{\n  "s": {\n    "a": 1\n  }\n}\n');
    expect(editProperty('{}', 'json', 's', 'a', 1)).toBe('{\n  "s": {\n    "a": 1\n  }\n}');
  });

  it('adds to a one-line object', () => {
    const out = editProperty('{"s": {"a": 1}}', 'json', 's', 'b', 2);
    expect(JSON.parse(out)).toEqual({ s: { a: 1, b: 2 } });
  });
});

describe('replacing an entry', () => {
  it('rewrites only the value, keeping the comment after it', () => {
    const text = '{\n  "s": {\n    "a": { "command": "old" }, // keep\n    "b": 1\n  }\n}\n';
    expect(editProperty(text, 'jsonc', 's', 'a', { command: 'new' })).toBe('{\n  "s": {\n    "a": {\n      "command": "new"\n    }, // keep\n    "b": 1\n  }\n}\n');
  });
});

describe('removing an entry', () => {
  it('takes a middle entry with its line and comment, keeping the comment of the one before', () => {
    const text = '{\n  "s": {\n    "a": 1, // one\n    "b": 2, // two\n    "c": 3\n  }\n}\n';
    expect(editProperty(text, 'jsonc', 's', 'b', undefined)).toBe('{\n  "s": {\n    "a": 1, // one\n    "c": 3\n  }\n}\n');
  });

  it('takes the last entry and the comma before it', () => {
    expect(editProperty('{\n  "s": {\n    "a": 1,\n    "b": 2\n  }\n}\n', 'json', 's', 'b', undefined)).toBe('{\n  "s": {\n    "a": 1\n  }\n}\n');
  });

  it('takes the only entry even with a trailing comma (where jsonc-parser modify breaks the file)', () => {
    expect(editProperty('{\n  "s": {\n    "b": 2,\n  },\n}\n', 'jsonc', 's', 'b', undefined)).toBe('{\n  "s": {\n  },\n}\n');
  });

  it('takes an entry from a one-line object', () => {
    expect(JSON.parse(editProperty('{"s": {"a": 1, "b": 2}}', 'json', 's', 'a', undefined))).toEqual({ s: { b: 2 } });
    expect(JSON.parse(editProperty('{"s": {"a": 1, "b": 2}}', 'json', 's', 'b', undefined))).toEqual({ s: { a: 1 } });
  });
});

describe('parsing', () => {
  it('refuses comments and trailing commas in strict JSON, with line and column, and allows them in JSONC', () => {
    const text = '{\n  // c\n  "a": 1,\n}';
    expect(parseJson(text, 'json').errors[0]).toMatch(/InvalidCommentToken at line 2, column 3/);
    expect(parseJson(text, 'jsonc').errors).toEqual([]);
    expect(parseJson('{"a": ', 'jsonc').errors.length).toBeGreaterThan(0);
  });
});
