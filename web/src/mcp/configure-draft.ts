/**
 * The configure dialog's form as plain data: starting values from a registry server, the checks
 * made before anything is sent (required inputs, the project folder), and the request body.
 * No view code and no requests here.
 */
import type { McpArgumentInfo, McpConfigureRequest, McpEditor, McpEditorInfo, McpInputInfo, McpRegistryServer, McpScope } from '$wire/mcp';
import { t } from '../lib/i18n.svelte';

/** The key pattern of McpServerNameSchema (wire/mcp.ts, beside zod). */
const SERVER_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const SERVER_NAME_MAX = 64;

/** What the dialog edits. Repeated arguments are one value per line. */
export interface ConfigureDraft {
  editor: McpEditor;
  scope: McpScope;
  projectDir: string;
  name: string;
  transport: 'stdio' | 'remote';
  env: Record<string, string>;
  args: Record<string, string>;
  headers: Record<string, string>;
}

/** Field → message; input fields are keyed `env.NAME`, `args.KEY`, `headers.NAME`. */
export type DraftErrors = Record<string, string>;

/** The scopes an editor supports, user first. */
export function scopesOf(editor: McpEditorInfo | undefined): McpScope[] {
  if (!editor) return ['user'];
  const scopes: McpScope[] = [];
  if (editor.scopes.user !== undefined) scopes.push('user');
  if (editor.scopes.project !== undefined) scopes.push('project');
  return scopes.length > 0 ? scopes : ['user'];
}

/** Whether an editor can take this server with this transport (remote servers need an editor that writes URLs). */
export function editorFits(editor: McpEditorInfo, transport: ConfigureDraft['transport']): boolean {
  return transport === 'stdio' || editor.remote;
}

/** The arguments the user fills in: those the registry does not fix. */
export function editableArgs(server: McpRegistryServer): McpArgumentInfo[] {
  return server.args.filter((arg) => arg.fixed === undefined);
}

/** A fresh form for `server`: its default transport, and each input's default value. */
export function newDraft(server: McpRegistryServer, editor: McpEditorInfo | undefined, projectDir: string): ConfigureDraft {
  const defaults = (inputs: readonly { default?: string | undefined }[], keys: readonly string[]): Record<string, string> =>
    Object.fromEntries(inputs.map((input, i) => [keys[i]!, input.default ?? '']));
  const args = editableArgs(server);
  return {
    editor: editor?.id ?? 'claude-code',
    scope: scopesOf(editor)[0]!,
    projectDir,
    name: server.id,
    transport: server.transports[0] ?? 'stdio',
    env: defaults(server.env, server.env.map((i) => i.name)),
    args: defaults(args, args.map((a) => a.key)),
    headers: defaults(server.headers, server.headers.map((h) => h.name)),
  };
}

function missing(inputs: readonly (McpInputInfo | McpArgumentInfo)[], values: Record<string, string>, prefix: string, keyOf: (input: McpInputInfo | McpArgumentInfo) => string, errors: DraftErrors): void {
  for (const input of inputs) {
    const key = keyOf(input);
    if (input.required && !(values[key] ?? '').trim()) errors[`${prefix}.${key}`] = t('mcp.input_required');
  }
}

/**
 * The request body for the draft, or the problems that keep it from being sent: a required
 * input left empty (secrets included), a project scope without a folder, a malformed name.
 */
export function draftRequest(server: McpRegistryServer, draft: ConfigureDraft): { request: McpConfigureRequest; errors: null } | { request: null; errors: DraftErrors } {
  const errors: DraftErrors = {};
  const name = draft.name.trim();
  if (name && (!SERVER_NAME_PATTERN.test(name) || name.length > SERVER_NAME_MAX)) errors.name = t('mcp.name_invalid');
  if (draft.scope === 'project' && !draft.projectDir.trim()) errors.project_dir = t('mcp.project_dir_required');
  const stdio = draft.transport === 'stdio';
  if (stdio) {
    missing(server.env, draft.env, 'env', (i) => (i as McpInputInfo).name, errors);
    missing(editableArgs(server), draft.args, 'args', (i) => (i as McpArgumentInfo).key, errors);
  } else {
    missing(server.headers, draft.headers, 'headers', (i) => (i as McpInputInfo).name, errors);
  }
  if (Object.keys(errors).length > 0) return { request: null, errors };

  /** Filled values only: an empty optional input is left to the server's default. */
  const filled = (values: Record<string, string>): Record<string, string> => Object.fromEntries(Object.entries(values).filter(([, v]) => v.trim() !== ''));
  const args: Record<string, string | string[]> = {};
  for (const arg of editableArgs(server)) {
    const value = (draft.args[arg.key] ?? '').trim();
    if (!value) continue;
    args[arg.key] = arg.repeated ? value.split('\n').map((v) => v.trim()).filter(Boolean) : value;
  }
  const env = filled(draft.env);
  const headers = filled(draft.headers);
  const request: McpConfigureRequest = {
    editor: draft.editor,
    scope: draft.scope,
    server: server.id,
    transport: draft.transport,
    ...(draft.scope === 'project' && { project_dir: draft.projectDir.trim() }),
    ...(name && name !== server.id && { name }),
    ...(stdio && Object.keys(env).length > 0 && { env }),
    ...(stdio && Object.keys(args).length > 0 && { args }),
    ...(!stdio && Object.keys(headers).length > 0 && { headers }),
  };
  return { request, errors: null };
}

/** Server issue paths (`env.TOKEN`, `args.allowed_directory.0`, `project_dir`) onto the dialog's fields. */
export function fieldOfIssue(path: string): string {
  const [head, key] = path.split('.');
  if ((head === 'env' || head === 'args' || head === 'headers') && key) return `${head}.${key}`;
  return head ?? '';
}
