import { readdirSync, readFileSync } from 'node:fs';
import { dirname, extname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import ts from 'typescript';
import { describe, expect, it } from 'vitest';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = join(ROOT, 'web/src');
const SERVER = join(ROOT, 'server/src');
const WIRE = join(SERVER, 'wire');
/** The studio's alias for the wire folder (web/vite.config.ts, web/tsconfig.json). */
const WIRE_ALIAS = '$wire/';

/** One import or re-export: what it names, and whether it is erased at build time. */
interface ImportRef {
  specifier: string;
  typeOnly: boolean;
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return filesUnder(path);
    return ['.ts', '.svelte'].includes(extname(entry.name)) ? [path] : [];
  });
}

/** A file's script: all of a .ts file, the `<script>` blocks of a .svelte one. */
function scriptOf(path: string): string {
  const text = readFileSync(path, 'utf8');
  if (!path.endsWith('.svelte')) return text;
  return [...text.matchAll(/<script\b[^>]*>([\s\S]*?)<\/script>/g)].map((m) => m[1]).join('\n');
}

/**
 * Every import, re-export and dynamic import of a script. Only `import type` / `export type`
 * count as erased: the studio builds with verbatimModuleSyntax, which keeps
 * `import { type X } from '…'` as an import that loads the module.
 */
function importsOf(path: string): ImportRef[] {
  const source = ts.createSourceFile(path, scriptOf(path), ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const refs: ImportRef[] = [];
  const visit = (node: ts.Node): void => {
    if ((ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) && node.moduleSpecifier && ts.isStringLiteral(node.moduleSpecifier)) {
      const typeOnly = ts.isImportDeclaration(node) ? node.importClause?.isTypeOnly === true : node.isTypeOnly;
      refs.push({ specifier: node.moduleSpecifier.text, typeOnly });
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      const [arg] = node.arguments;
      if (arg && ts.isStringLiteral(arg)) refs.push({ specifier: arg.text, typeOnly: false });
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return refs;
}

/** The file an import names, when it is a path (relative or the wire alias); null for packages. */
function resolveImport(from: string, specifier: string): string | null {
  if (specifier.startsWith(WIRE_ALIAS)) return join(WIRE, specifier.slice(WIRE_ALIAS.length));
  if (specifier.startsWith('.')) return resolve(dirname(from), specifier);
  return null;
}

/** The TypeScript source behind a resolved import (server imports say `.js`, the studio's say nothing). */
function tsSource(path: string): string {
  return path.replace(/\.js$/, '').replace(/(\.ts)?$/, '.ts');
}

const isUnder = (path: string, dir: string): boolean => !relative(dir, path).startsWith('..');

/** Whether loading a server module loads zod, itself or through a module it imports for values. */
function loadsZod(path: string, seen = new Set<string>()): boolean {
  if (seen.has(path)) return false;
  seen.add(path);
  return importsOf(path).some(({ specifier, typeOnly }) => {
    if (typeOnly) return false;
    if (specifier === 'zod' || specifier.startsWith('zod/')) return true;
    const target = resolveImport(path, specifier);
    return target !== null && loadsZod(tsSource(target), seen);
  });
}

/** The studio's imports that reach into server/src and break the rule, as `file: import (why)`. */
function violations(): string[] {
  return filesUnder(WEB).flatMap((file) =>
    importsOf(file).flatMap(({ specifier, typeOnly }) => {
      const target = resolveImport(file, specifier);
      if (target === null || !isUnder(target, SERVER)) return [];
      const where = `${relative(ROOT, file)}: '${specifier}'`;
      if (!isUnder(target, WIRE)) return [`${where} (outside server/src/wire/)`];
      if (!typeOnly && loadsZod(tsSource(target))) return [`${where} (a value import from a wire module that loads zod; use \`import type\` or a zod-free module)`];
      return [];
    }),
  );
}

describe('the studio imports from the server', () => {
  it('only server/src/wire/ modules, and values only from the zod-free ones', () => {
    expect(violations()).toEqual([]);
  });

  it('the check sees the wire imports it is meant to judge', () => {
    const wireImports = filesUnder(WEB).flatMap((file) => importsOf(file).filter((ref) => ref.specifier.startsWith(WIRE_ALIAS)));
    expect(wireImports.some((ref) => ref.typeOnly)).toBe(true);
    expect(wireImports.some((ref) => !ref.typeOnly)).toBe(true);
  });

  it('a wire module with schemas counts as loading zod, a constants-only one does not', () => {
    expect(loadsZod(join(WIRE, 'terminal.ts'))).toBe(true);
    expect(loadsZod(join(WIRE, 'terminal-limits.ts'))).toBe(false);
  });
});
