import { AppError } from '../http/errors.js';
import type { EditorTarget } from './editors.js';
import type { Launch } from './launch.js';

/** The entry an editor's file holds for `launch`, spelled the editor's way (see EDITOR_TARGETS). */
export function editorEntry(target: EditorTarget, launch: Launch): Record<string, unknown> {
  if (launch.transport === 'stdio') {
    return {
      ...(target.stdioType && { type: 'stdio' }),
      command: launch.command,
      args: launch.args,
      ...(Object.keys(launch.env).length > 0 && { env: launch.env }),
    };
  }
  if (!target.remote) {
    throw new AppError(400, 'VALIDATION_FAILED', `${target.title} takes only local (stdio) servers in its file; use transport "stdio"`, {
      issues: [{ path: 'transport', message: `${target.id} has no remote servers in its file` }],
    });
  }
  return {
    ...(target.remote.writesType && { type: launch.transport }),
    [target.remote.urlKey]: launch.url,
    ...(Object.keys(launch.headers).length > 0 && { headers: launch.headers }),
  };
}

/** One server as an editor's file declares it, read back for a status check. */
export interface ConfiguredServer {
  name: string;
  /** Undefined when the entry says neither a command nor a URL Atelier can reach. */
  launch?: Launch;
  /** Why there is no launch. */
  problem?: string;
  disabled: boolean;
}

/** What `${…}` references in an entry resolve against, as editors do at launch. */
export interface ExpandContext {
  env: NodeJS.ProcessEnv;
  home: string;
  projectDir?: string | undefined;
}

/**
 * Expands the variable syntaxes editors document: `${VAR}` and `${VAR:-default}` (Claude Code),
 * `${env:VAR}`, `${userHome}`, `${workspaceFolder}` (Cursor, VS Code, Windsurf). Anything else,
 * such as VS Code's `${input:id}` prompts, is left as written.
 */
export function expandVariables(value: string, ctx: ExpandContext): string {
  return value.replace(/\$\{([^}]+)\}/g, (whole, inner: string) => {
    if (inner === 'userHome') return ctx.home;
    if (inner === 'workspaceFolder') return ctx.projectDir ?? whole;
    const env = /^env:([A-Za-z_][A-Za-z0-9_]*)$/.exec(inner);
    if (env) return ctx.env[env[1]!] ?? '';
    const plain = /^([A-Za-z_][A-Za-z0-9_]*)(?::-(.*))?$/.exec(inner);
    if (plain) return ctx.env[plain[1]!] ?? plain[2] ?? '';
    return whole;
  });
}

function strings(value: unknown): string[] {
  return Array.isArray(value) ? value.map((v) => String(v)) : [];
}

function stringMap(value: unknown): Record<string, string> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return {};
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, String(v)]));
}

/**
 * Reads any editor's entry: `command` + `args` + `env` (a string command, or Zed's older
 * `{path, args, env}` object), or `url` / `serverUrl` + `headers` with an optional `type`.
 */
export function readEntry(name: string, raw: unknown, ctx: ExpandContext): ConfiguredServer {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return { name, problem: 'the entry is not an object', disabled: false };
  const entry = raw as Record<string, unknown>;
  const disabled = entry.disabled === true || entry.enabled === false;
  const x = (s: string): string => expandVariables(s, ctx);
  const xMap = (m: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(m).map(([k, v]) => [k, x(v)]));
  const nested = typeof entry.command === 'object' && entry.command !== null ? (entry.command as Record<string, unknown>) : undefined;
  const command = typeof entry.command === 'string' ? entry.command : typeof nested?.path === 'string' ? nested.path : undefined;
  if (command !== undefined) {
    const source = nested ?? entry;
    return { name, disabled, launch: { transport: 'stdio', command: x(command), args: strings(source.args).map(x), env: xMap(stringMap(source.env)) } };
  }
  const url = typeof entry.url === 'string' ? entry.url : typeof entry.serverUrl === 'string' ? entry.serverUrl : undefined;
  if (url !== undefined) {
    return { name, disabled, launch: { transport: entry.type === 'sse' ? 'sse' : 'http', url: x(url), headers: xMap(stringMap(entry.headers)) } };
  }
  return { name, disabled, problem: 'the entry has neither a command nor a url (an extension-provided server?)' };
}
