import { homedir } from 'node:os';
import type { z } from 'zod';
import { resolveProjectDir } from '../fs/project-dir.js';
import { AppError } from '../http/errors.js';
import { ToolFailure } from '../tools/failure.js';
import { realRoot, resolveInRoot } from '../tools/root-path.js';
import type { McpConfigureRequestSchema, McpConfigureResponse, McpEditor, McpRemoveRequestSchema, McpRemoveResponse, McpScope } from '../wire/mcp.js';
import { writeEditorEntry } from './editor-file.js';
import { editorFile, editorTarget, type EditorTarget, type PathContext } from './editors.js';
import { editorEntry } from './entries.js';
import type { McpHub } from './hub.js';
import { buildLaunch, type Launch } from './launch.js';
import type { RegistryServer } from './registry.js';

type ConfigureBody = z.output<typeof McpConfigureRequestSchema>;
type RemoveBody = z.output<typeof McpRemoveRequestSchema>;

/** Where the user's files are, read at each call (HOME may differ between tests). */
export function currentPaths(): PathContext {
  return { home: homedir(), platform: process.platform, env: process.env };
}

function scopeRefused(editor: string, scope: McpScope): AppError {
  return new AppError(400, 'SCOPE_NOT_SUPPORTED', `${editor} has no ${scope} MCP config; use scope "${scope === 'user' ? 'project' : 'user'}"`, {
    issues: [{ path: 'scope', message: `${editor} does not support scope "${scope}"` }],
  });
}

/** The file an editor keeps in `scope`: for a project, inside the (real) project directory, itself inside home. */
export async function resolveEditorFile(target: EditorTarget, scope: McpScope, projectDir: string | undefined, p: PathContext): Promise<string> {
  if (scope === 'user') {
    const path = editorFile(target, 'user', p);
    if (path === undefined) throw scopeRefused(target.id, scope);
    return path;
  }
  if (!target.projectFile) throw scopeRefused(target.id, scope);
  if (projectDir === undefined) {
    throw new AppError(400, 'VALIDATION_FAILED', 'project_dir is required with scope "project"', { issues: [{ path: 'project_dir', message: 'required with scope "project"' }] });
  }
  const dir = await resolveProjectDir(projectDir, p.home);
  const file = target.projectFile(dir);
  // The file itself (or a folder on its way) may be a symlink out of home.
  try {
    return (await resolveInRoot(await realRoot(p.home), file)).path;
  } catch (err) {
    if (!(err instanceof ToolFailure)) throw err;
    if (err.code === 'PATH_OUTSIDE_ROOT') throw new AppError(400, 'PATH_OUTSIDE_HOME', `${file} leads outside your home directory (${p.home}): ${err.message}`);
    throw new AppError(400, err.code, err.message);
  }
}

/** Atelier's own entry shape, as answered by configure. */
function atelierEntry(launch: Launch): Record<string, unknown> {
  if (launch.transport === 'stdio') return { type: 'stdio', command: launch.command, args: launch.args, ...(Object.keys(launch.env).length > 0 && { env: launch.env }) };
  return { type: launch.transport, url: launch.url, ...(Object.keys(launch.headers).length > 0 && { headers: launch.headers }) };
}

/** What configuring needs: the registry, Atelier's own servers (through the hub), where Atelier's list lives. */
export interface ConfiguratorDeps {
  registry: readonly RegistryServer[];
  hub: McpHub;
  /** The database file, reported as the `path` of the `atelier` editor. */
  atelierPath: string;
  paths?: () => PathContext;
}

/** Writes and removes MCP servers in editors' files and in Atelier's own list. */
export class McpConfigurator {
  readonly #paths: () => PathContext;

  constructor(private readonly deps: ConfiguratorDeps) {
    this.#paths = deps.paths ?? currentPaths;
  }

  /** POST /api/mcp/configure. */
  async configure(body: ConfigureBody): Promise<McpConfigureResponse> {
    const p = this.#paths();
    const target = this.#target(body.editor, body.scope);
    const path = target ? await resolveEditorFile(target, body.scope, body.project_dir, p) : this.deps.atelierPath;
    const server = this.deps.registry.find((s) => s.id === body.server);
    if (!server) {
      throw new AppError(404, 'NOT_FOUND', `No MCP server "${body.server}" in the registry (GET /api/mcp/registry lists them)`, {
        issues: [{ path: 'server', message: 'not in the registry' }],
      });
    }
    const built = buildLaunch(server, body, p.home);
    const key = body.name ?? server.id;
    const base = { editor: body.editor, scope: body.scope, path, key };
    if (!target) {
      const replaced = this.deps.hub.store.put(key, server.id, built.launch, built.shown);
      await this.deps.hub.invalidate(key);
      return { ...base, replaced, entry: atelierEntry(built.shown), warnings: [] };
    }
    const write = writeEditorEntry(path, target.format, target.serversKey, key, editorEntry(target, built.launch));
    const warnings =
      built.hasSecrets && body.scope === 'project' ? [`${path} now holds secret values in plain text; it is a project file, so keep it out of version control`] : [];
    return { ...base, ...(write.backup !== undefined && { backup: write.backup }), replaced: write.replaced, entry: editorEntry(target, built.shown), warnings };
  }

  /** POST /api/mcp/remove. */
  async remove(body: RemoveBody): Promise<McpRemoveResponse> {
    const target = this.#target(body.editor, body.scope);
    if (!target) {
      this.deps.hub.store.remove(body.name);
      await this.deps.hub.invalidate(body.name);
      return { editor: body.editor, scope: body.scope, path: this.deps.atelierPath, key: body.name, removed: true };
    }
    const path = await resolveEditorFile(target, body.scope, body.project_dir, this.#paths());
    const write = writeEditorEntry(path, target.format, target.serversKey, body.name, undefined);
    return { editor: body.editor, scope: body.scope, path, key: body.name, ...(write.backup !== undefined && { backup: write.backup }), removed: true };
  }

  /** The editor's target, undefined for Atelier itself (user scope only). */
  #target(editor: McpEditor, scope: McpScope): EditorTarget | undefined {
    if (editor === 'atelier') {
      if (scope !== 'user') throw scopeRefused('atelier', scope);
      return undefined;
    }
    return editorTarget(editor)!;
  }
}
