import { homedir } from 'node:os';
import { join } from 'node:path';
import { AppError } from '../http/errors.js';
import { MCP_SECRET_MASK } from '../wire/mcp.js';
import type { RegistryArgument, RegistryKeyValueInput, RegistryPackage, RegistryRemote, RegistryServer } from './registry.js';

/** A local server: the process to spawn and the environment it needs on top of the inherited one. */
export interface StdioLaunch {
  transport: 'stdio';
  command: string;
  args: string[];
  env: Record<string, string>;
}

/** A hosted server: its URL and the headers each request carries. */
export interface RemoteLaunch {
  transport: 'http' | 'sse';
  url: string;
  headers: Record<string, string>;
}

/** How to reach one MCP server, whatever wrote it. */
export type Launch = StdioLaunch | RemoteLaunch;

/** What the user supplies when configuring a registry server. */
export interface LaunchInput {
  transport?: 'stdio' | 'remote' | undefined;
  env?: Record<string, string> | undefined;
  args?: Record<string, string | string[]> | undefined;
  headers?: Record<string, string> | undefined;
}

/** A launch built from the registry: the real one, the one shown (secrets masked), and whether it holds secrets. */
export interface BuiltLaunch {
  launch: Launch;
  shown: Launch;
  hasSecrets: boolean;
}

/** Undeclared names that look like credentials are masked too: better a hidden value than a leaked one. */
const SECRET_LOOKING = /key|token|secret|password|passwd|auth|credential/i;

/** `~` and `~/x` mean the home directory; arguments are passed without a shell, so nobody else expands them. */
export function expandHome(value: string, home: string = homedir()): string {
  if (value === '~') return home;
  if (value.startsWith('~/') || value.startsWith('~\\')) return join(home, value.slice(2));
  return value;
}

/** The key `args` uses for an argument: a positional's value hint, a named one's flag. */
export function argumentKey(arg: RegistryArgument, index: number): string {
  return arg.type === 'named' ? arg.name : (arg.valueHint ?? `arg${index + 1}`);
}

/** The package Atelier runs for a server: the first one (every curated server has at most one). */
export function packageOf(server: RegistryServer): RegistryPackage | undefined {
  return server.packages?.[0];
}

/** The endpoint Atelier writes for a remote server: the first one. */
export function remoteOf(server: RegistryServer): RegistryRemote | undefined {
  return server.remotes?.[0];
}

/** The runtime command and the arguments before the package's own (SPEC: npx -y id@version, uvx id, docker run -i --rm -e NAME… image). */
export function runtimeOf(pkg: RegistryPackage, envNames: string[]): { command: string; args: string[] } {
  switch (pkg.registryType) {
    case 'npm':
      return { command: 'npx', args: ['-y', pkg.version ? `${pkg.identifier}@${pkg.version}` : pkg.identifier] };
    case 'pypi':
      // Unpinned on purpose (docs/registries.md): the recorded PyPI version is informational.
      return { command: 'uvx', args: [pkg.identifier] };
    case 'oci':
      // `-e NAME` without a value: docker copies the variable from its own environment, so the
      // value sits in the entry's env, where editors keep secrets, not on the command line.
      return { command: 'docker', args: ['run', '-i', '--rm', ...envNames.flatMap((name) => ['-e', name]), pkg.identifier] };
  }
}

/** Collects what is missing or wrong, each with the request field at fault. */
class Issues {
  readonly list: { path: string; message: string }[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
  throwIfAny(serverId: string): void {
    if (this.list.length === 0) return;
    const summary = this.list.map((i) => `${i.path}: ${i.message}`).join('; ');
    throw new AppError(400, 'VALIDATION_FAILED', `Cannot configure ${serverId}: ${summary}`, { issues: this.list });
  }
}

/**
 * A `value` without `variables` is fixed: always written, never asked. With variables it is a
 * template (`Bearer {token}`) the user's full value follows, so it is never written as is.
 */
export function fixedValue(input: { value?: string | undefined; variables?: Record<string, unknown> | undefined }): string | undefined {
  return input.variables === undefined ? input.value : undefined;
}

function valuesOf(given: string | string[] | undefined): string[] {
  if (given === undefined) return [];
  return Array.isArray(given) ? given : [given];
}

/** The package arguments, real and shown; records missing required ones and unknown keys. */
function packageArguments(pkg: RegistryPackage, given: Record<string, string | string[]>, issues: Issues, home: string): { real: string[]; shown: string[]; secret: boolean } {
  const declared = pkg.packageArguments ?? [];
  const keys = new Set(declared.map(argumentKey));
  for (const key of Object.keys(given)) if (!keys.has(key)) issues.add(`args.${key}`, `not an argument of this server (they are: ${[...keys].join(', ') || 'none'})`);
  const real: string[] = [];
  const shown: string[] = [];
  let secret = false;
  declared.forEach((arg, i) => {
    const key = argumentKey(arg, i);
    const fixed = fixedValue(arg);
    let values = fixed !== undefined ? [fixed] : valuesOf(given[key]);
    if (values.length === 0 && arg.default !== undefined) values = [arg.default];
    if (values.length === 0) {
      if (arg.isRequired) issues.add(`args.${key}`, `required${arg.isSecret ? ' (secret)' : ''}`);
      return;
    }
    if (values.length > 1 && !arg.isRepeated) issues.add(`args.${key}`, 'takes one value');
    for (const raw of values) {
      if (arg.choices && !arg.choices.includes(raw)) issues.add(`args.${key}`, `must be one of ${arg.choices.join(', ')}`);
      const value = expandHome(raw, home);
      const mask = arg.isSecret ? MCP_SECRET_MASK : value;
      if (arg.isSecret) secret = true;
      if (arg.type === 'positional') {
        real.push(value);
        shown.push(mask);
      } else if (arg.format === 'boolean') {
        if (value === 'true') {
          real.push(arg.name);
          shown.push(arg.name);
        }
      } else {
        real.push(arg.name, value);
        shown.push(arg.name, mask);
      }
    }
  });
  return { real, shown, secret };
}

/**
 * Named values (environment variables, headers): the declared ones given or required, plus any
 * extra the user adds. `caseless` matches names ignoring case (HTTP headers).
 */
function namedValues(
  declared: RegistryKeyValueInput[],
  given: Record<string, string>,
  field: 'env' | 'headers',
  issues: Issues,
  home: string,
  caseless = false,
): { real: Record<string, string>; shown: Record<string, string>; secret: boolean } {
  const norm = (s: string): string => (caseless ? s.toLowerCase() : s);
  const byName = new Map(declared.map((d) => [norm(d.name), d]));
  const real: Record<string, string> = {};
  const shown: Record<string, string> = {};
  let secret = false;
  for (const d of declared) {
    const entry = Object.entries(given).find(([name]) => norm(name) === norm(d.name));
    const raw = fixedValue(d) ?? entry?.[1];
    if (raw === undefined || raw === '') {
      if (d.isRequired) issues.add(`${field}.${d.name}`, `required${d.isSecret ? ' (secret)' : ''}`);
      continue;
    }
    if (d.choices && !d.choices.includes(raw)) issues.add(`${field}.${d.name}`, `must be one of ${d.choices.join(', ')}`);
    real[d.name] = d.format === 'filepath' ? expandHome(raw, home) : raw;
    shown[d.name] = d.isSecret ? MCP_SECRET_MASK : real[d.name]!;
    if (d.isSecret) secret = true;
  }
  for (const [name, value] of Object.entries(given)) {
    if (byName.has(norm(name))) continue;
    real[name] = value;
    const looksSecret = SECRET_LOOKING.test(name);
    shown[name] = looksSecret ? MCP_SECRET_MASK : value;
    if (looksSecret) secret = true;
  }
  return { real, shown, secret };
}

/**
 * The launch Atelier writes for a registry server: stdio from its package (npm → npx, pypi → uvx,
 * oci → docker) or remote from its first endpoint. Throws 400 VALIDATION_FAILED naming each
 * missing required value (secrets included) and each argument the server does not take.
 */
export function buildLaunch(server: RegistryServer, input: LaunchInput, home: string = homedir()): BuiltLaunch {
  const pkg = packageOf(server);
  const remote = remoteOf(server);
  const transport = input.transport ?? (pkg ? 'stdio' : 'remote');
  const issues = new Issues();
  if (transport === 'stdio' && !pkg) {
    issues.add('transport', `${server.id} has no package to run locally; use "remote"`);
    issues.throwIfAny(server.id);
  }
  if (transport === 'remote' && !remote) {
    issues.add('transport', `${server.id} has no remote endpoint; use "stdio"`);
    issues.throwIfAny(server.id);
  }
  if (transport === 'stdio') {
    if (input.headers && Object.keys(input.headers).length > 0) issues.add('headers', 'headers are for remote servers');
    const env = namedValues(pkg!.environmentVariables ?? [], input.env ?? {}, 'env', issues, home);
    const args = packageArguments(pkg!, input.args ?? {}, issues, home);
    issues.throwIfAny(server.id);
    const runtime = runtimeOf(pkg!, Object.keys(env.real));
    return {
      launch: { transport: 'stdio', command: runtime.command, args: [...runtime.args, ...args.real], env: env.real },
      shown: { transport: 'stdio', command: runtime.command, args: [...runtime.args, ...args.shown], env: env.shown },
      hasSecrets: env.secret || args.secret,
    };
  }
  if (input.env && Object.keys(input.env).length > 0) issues.add('env', 'env is for stdio servers');
  if (input.args && Object.keys(input.args).length > 0) issues.add('args', 'args are for stdio servers');
  const headers = namedValues(remote!.headers ?? [], input.headers ?? {}, 'headers', issues, home, true);
  issues.throwIfAny(server.id);
  const type = remote!.type === 'sse' ? 'sse' : 'http';
  return {
    launch: { transport: type, url: remote!.url, headers: headers.real },
    shown: { transport: type, url: remote!.url, headers: headers.shown },
    hasSecrets: headers.secret,
  };
}
