import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { issuesText } from '../issues-text.js';

/** Where the registry lives in the checkout; read from the source tree so tsx, vitest and compiled runs share it. */
export function lspRegistryPath(rootDir: string): string {
  return join(rootDir, 'server', 'src', 'lsp', 'registry.json');
}

const Name = z.string().min(1);
/** A bare executable name: the locator looks it up in the managed prefix and on PATH, never a path of its own. */
const CommandName = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._+-]*$/, 'must be a bare executable name (no path)');

const NpmInstallSchema = z.strictObject({
  method: z.literal('npm'),
  package: Name,
  /** A semver range chosen to run on the Node Atelier supports. */
  version: Name,
  /** `name@range` strings installed alongside (typescript for typescript-language-server). */
  extra_packages: z.array(z.string().regex(/^(@[a-z0-9._-]+\/)?[a-z0-9._-]+@\S+$/, 'must be "name@range"')),
});
const GoInstallSchema = z.strictObject({ method: z.literal('go'), module: z.string().regex(/^\S+@\S+$/, 'must be "module@version"') });
const PipInstallSchema = z.strictObject({ method: z.literal('pip'), package: Name });
const RustupInstallSchema = z.strictObject({ method: z.literal('rustup'), component: Name });
const SystemInstallSchema = z.strictObject({ method: z.literal('system'), hints: z.strictObject({ debian: Name, macos: Name, windows: Name }) });

/** How an entry is installed; `method` picks the installer. */
export const LspInstallSchema = z.discriminatedUnion('method', [NpmInstallSchema, GoInstallSchema, PipInstallSchema, RustupInstallSchema, SystemInstallSchema]);
export type LspInstallSpec = z.infer<typeof LspInstallSchema>;

const EditorServerSchema = z.strictObject({ language_server: Name, languages: z.array(Name).min(1) });

/** One entry of registry.json, as docs/registries.md describes it. */
export const LspServerSpecSchema = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/),
  name: Name,
  homepage: z.url(),
  languages: z.array(Name).min(1),
  file_extensions: z.array(z.string().regex(/^\.[A-Za-z0-9._+-]+$/, 'must start with a dot')),
  project_markers: z.array(Name),
  command: CommandName,
  args: z.array(z.string()),
  /** null: the binary has no version flag (probing would start a server waiting on stdin). */
  version_args: z.array(z.string()).nullable(),
  install: LspInstallSchema,
  editors: z.strictObject({
    vscode: z.strictObject({ extension: z.string().regex(/^[\w-]+\.[\w.-]+$/).nullable(), builtin: z.boolean() }),
    neovim: z.strictObject({ lspconfig: z.string().regex(/^[A-Za-z0-9_.-]+$/) }).nullable(),
    helix: EditorServerSchema.nullable(),
    zed: EditorServerSchema.nullable(),
  }),
});
export type LspServerSpec = z.infer<typeof LspServerSpecSchema>;

/**
 * Validates parsed JSON into the list of servers. Throws naming `source`, the entry's id (or
 * index when it has none) and each field at fault: the registry ships with the code, so a broken
 * entry is a bug to fix at start, not one to skip.
 */
export function parseLspRegistry(json: unknown, source: string): LspServerSpec[] {
  if (!Array.isArray(json)) throw new Error(`Invalid LSP registry ${source}: the file must hold a JSON array`);
  const problems: string[] = [];
  const servers: LspServerSpec[] = [];
  const seen = new Set<string>();
  json.forEach((entry: unknown, index) => {
    const label = typeof (entry as { id?: unknown })?.id === 'string' ? `entry "${(entry as { id: string }).id}"` : `entry #${index}`;
    const result = LspServerSpecSchema.safeParse(entry);
    if (!result.success) {
      const issues = issuesText(result.error.issues, '(entry)');
      problems.push(`${label}: ${issues}`);
      return;
    }
    if (seen.has(result.data.id)) problems.push(`${label}: duplicate id`);
    seen.add(result.data.id);
    servers.push(result.data);
  });
  if (problems.length > 0) throw new Error(`Invalid LSP registry ${source}: ${problems.join(' | ')}`);
  return servers;
}

/** Reads and validates registry.json; a broken file stops the server with its name and the entry at fault. */
export function loadLspRegistry(file: string): LspServerSpec[] {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (err) {
    throw new Error(`Cannot read LSP registry ${file}: ${(err as Error).message}`);
  }
  return parseLspRegistry(json, file);
}
