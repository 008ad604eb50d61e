import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { issuesText } from '../issues-text.js';

/** Where the catalog lives in the checkout; read from the source tree so tsx, vitest and compiled runs share it. */
export function toolCatalogPath(rootDir: string): string {
  return join(rootDir, 'server', 'src', 'system', 'tools.json');
}

function isRegExp(source: string): boolean {
  try {
    new RegExp(source);
    return true;
  } catch {
    return false;
  }
}

/** One entry of tools.json, as written by hand. */
export const ToolEntrySchema = z
  .strictObject({
    /** Stable key for the studio and for persisted scans. */
    id: z.string().regex(/^[a-z0-9][a-z0-9._-]*$/),
    name: z.string().min(1),
    category: z.string().regex(/^[a-z][a-z-]*$/),
    /** The executable name, without extension (PATHEXT supplies it on Windows). */
    bin: z.string().min(1).optional(),
    /** Alternatives, most preferred first (e.g. python3 before python). */
    bins: z.array(z.string().min(1)).min(1).optional(),
    version_args: z.array(z.string()),
    /** Where the version sits in the output; group 1 when it has one. Default: the first dotted number. */
    version_pattern: z.string().refine(isRegExp, 'not a valid regular expression').optional(),
    /** Extra environment for the version command (e.g. to stop a CLI from phoning home). */
    env: z.record(z.string(), z.string()).optional(),
    homepage: z.url(),
  })
  .refine((t) => (t.bin === undefined) !== (t.bins === undefined), 'give exactly one of "bin" or "bins"');

/** The whole file: tool ids are unique. */
export const ToolCatalogSchema = z.array(ToolEntrySchema).superRefine((tools, ctx) => {
  const seen = new Set<string>();
  tools.forEach((t, i) => {
    if (seen.has(t.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate tool id "${t.id}"` });
    seen.add(t.id);
  });
});

/** A catalog entry ready for the scanner: alternatives as one list, the pattern compiled. */
export interface ToolSpec {
  id: string;
  name: string;
  category: string;
  bins: string[];
  versionArgs: string[];
  versionPattern: RegExp | undefined;
  env: Record<string, string>;
  homepage: string;
}

/** Validates parsed JSON into tool specs; throws naming `source` and each field at fault. */
export function parseToolCatalog(json: unknown, source: string): ToolSpec[] {
  const result = ToolCatalogSchema.safeParse(json);
  if (!result.success) {
    const issues = issuesText(result.error.issues);
    throw new Error(`Invalid tool catalog ${source}: ${issues}`);
  }
  return result.data.map((t) => ({
    id: t.id,
    name: t.name,
    category: t.category,
    bins: t.bins ?? [t.bin!],
    versionArgs: t.version_args,
    versionPattern: t.version_pattern === undefined ? undefined : new RegExp(t.version_pattern),
    env: t.env ?? {},
    homepage: t.homepage,
  }));
}

/**
 * Reads and validates tools.json. A broken catalog stops the server with the file's name:
 * it ships with the code, so an invalid entry is a bug to fix, not to skip.
 */
export function loadToolCatalog(file: string): ToolSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read tool catalog ${file}: ${(err as Error).message}`);
  }
  return parseToolCatalog(json, file);
}
