/**
 * MCP (SPEC §7 "LSP, MCP, skills"), shared by server and studio: the curated registry, writing a
 * server into an editor's own config file (or into Atelier itself), the live status of every
 * configured server, and Atelier's own servers whose tools join the chat.
 *
 * Secrets never travel back: every answer shows a secret value as "***".
 */
import { z } from 'zod';

/** Editors whose MCP config Atelier writes and reads; `atelier` is Atelier's own list (SQLite). */
export const MCP_EDITORS = ['claude-code', 'claude-desktop', 'cursor', 'vscode', 'windsurf', 'zed', 'crush', 'atelier'] as const;
export type McpEditor = (typeof MCP_EDITORS)[number];

/** `user`: the editor's per-user file; `project`: a file inside a project directory. */
export const MCP_SCOPES = ['user', 'project'] as const;
export type McpScope = (typeof MCP_SCOPES)[number];

/** How a configured server is reached: a local process on stdio, or a URL (streamable HTTP or the older SSE). */
export type McpTransport = 'stdio' | 'http' | 'sse';

/** What the studio shows in place of a secret value. */
export const MCP_SECRET_MASK = '***';

/** Keys written under the editor's servers object: what editors accept without quoting surprises. */
export const McpServerNameSchema = z
  .string()
  .regex(/^[A-Za-z0-9][A-Za-z0-9._-]*$/, 'letters, digits, ".", "_" and "-", starting with a letter or digit')
  .max(64);

const EnvNameSchema = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name').max(128);
const HeaderNameSchema = z.string().regex(/^[A-Za-z0-9!#$%&'*+.^_`|~-]+$/, 'an HTTP header name').max(128);
const ValueSchema = z.string().max(8_192);

/** Body of POST /api/mcp/configure. */
export const McpConfigureRequestSchema = z.strictObject({
  editor: z.enum(MCP_EDITORS),
  /** Default `user`. */
  scope: z.enum(MCP_SCOPES).default('user'),
  /** Required with scope `project`: absolute, inside the home directory. Ignored with scope `user`. */
  project_dir: z.string().min(1).max(4_096).optional(),
  /** A registry id (GET /api/mcp/registry). */
  server: z.string().regex(/^[a-z0-9-]+$/, 'a registry id').max(64),
  /** The key written in the editor's file; default the registry id. */
  name: McpServerNameSchema.optional(),
  /** `stdio` runs the server's package, `remote` uses its hosted endpoint. Default: stdio when the server has a package. */
  transport: z.enum(['stdio', 'remote']).optional(),
  /** Environment of a stdio server, by name (required ones, secrets included, must be given). */
  env: z.record(EnvNameSchema, ValueSchema).optional(),
  /**
   * Package arguments, keyed by the registry's `key` for each (the value hint of a positional
   * argument, the flag of a named one). An array for a repeated argument. A leading `~` is
   * replaced with the home directory when written.
   */
  args: z.record(z.string().min(1).max(100), z.union([ValueSchema, z.array(ValueSchema).min(1).max(32)])).optional(),
  /** Headers of a remote server, full values (e.g. `Authorization: Bearer …`). */
  headers: z.record(HeaderNameSchema, ValueSchema).optional(),
});
export type McpConfigureRequest = z.input<typeof McpConfigureRequestSchema>;

/** Body of POST /api/mcp/remove. */
export const McpRemoveRequestSchema = z.strictObject({
  editor: z.enum(MCP_EDITORS),
  scope: z.enum(MCP_SCOPES).default('user'),
  project_dir: z.string().min(1).max(4_096).optional(),
  /** The key of the entry, as listed by GET /api/mcp/status (hand-written names may be anything). */
  name: z.string().min(1).max(200),
});
export type McpRemoveRequest = z.input<typeof McpRemoveRequestSchema>;

/** Query of GET /api/mcp/status. */
export const McpStatusQuerySchema = z.strictObject({
  /** Also read this project's files (absolute, inside the home directory). */
  project_dir: z.string().min(1).max(4_096).optional(),
  /** Per-server budget for connect + list tools; default 20 s. */
  timeout_ms: z.coerce.number().int().min(200).max(60_000).optional(),
});

/** Path of PUT /api/mcp/servers/{name}. */
export const McpServerParamsSchema = z.strictObject({ name: McpServerNameSchema });

/** Body of PUT /api/mcp/servers/{name}. */
export const McpServerUpdateSchema = z.strictObject({ enabled: z.boolean() });

/** One input a server takes (environment variable, header), as the registry declares it. */
export interface McpInputInfo {
  name: string;
  description: string;
  required: boolean;
  /** Shown as "***" once written; required secrets must be given to configure. */
  secret: boolean;
  format: 'string' | 'number' | 'boolean' | 'filepath';
  default?: string;
  placeholder?: string;
  choices?: string[];
  /** A template the value follows, e.g. `Bearer {token}`. */
  template?: string;
}

/** One package argument: `key` is what POST /api/mcp/configure's `args` uses. */
export interface McpArgumentInfo extends Omit<McpInputInfo, 'name' | 'template'> {
  key: string;
  kind: 'positional' | 'named';
  repeated: boolean;
  /** Set when the registry fixes the value: it is always written and cannot be changed. */
  fixed?: string;
}

/** One server of GET /api/mcp/registry. */
export interface McpRegistryServer {
  id: string;
  title: string;
  /** Reverse-DNS name of the official registry (`io.github.owner/name`). */
  name: string;
  description: string;
  status: 'active' | 'deprecated';
  version: string;
  repository: string;
  /** What `transport` may be in POST /api/mcp/configure; the first is the default. */
  transports: ('stdio' | 'remote')[];
  package?: { registry_type: 'npm' | 'pypi' | 'oci'; identifier: string; version: string };
  /** The command Atelier writes for stdio, `<hint>` where a required value goes. */
  launch?: { command: string; args: string[] };
  remote?: { type: 'http' | 'sse'; url: string };
  env: McpInputInfo[];
  args: McpArgumentInfo[];
  headers: McpInputInfo[];
}

/** One editor Atelier writes to, with the file of each scope it supports. */
export interface McpEditorInfo {
  id: McpEditor;
  title: string;
  /** The user file (absolute) and the project file (relative to the project), when supported. */
  scopes: { user?: string; project?: string };
  /** The key holding the servers (`mcpServers`, `servers`, `context_servers`, `mcp`). */
  servers_key: string;
  /** `jsonc`: comments and trailing commas allowed (and kept); `json`: strict. */
  format: 'json' | 'jsonc' | 'sqlite';
  /** Whether remote (URL) servers can be written. */
  remote: boolean;
}

/** Answer of GET /api/mcp/registry. */
export interface McpRegistryResponse {
  servers: McpRegistryServer[];
  editors: McpEditorInfo[];
}

/** Answer of POST /api/mcp/configure. */
export interface McpConfigureResponse {
  editor: McpEditor;
  scope: McpScope;
  /** The file written (for `atelier`, its database). */
  path: string;
  /** The key the entry was written under. */
  key: string;
  /** The file as it was before this change; absent when the file is new. */
  backup?: string;
  /** True when an entry of the same key was replaced. */
  replaced: boolean;
  /** The entry as written, secrets as "***". */
  entry: Record<string, unknown>;
  /** E.g. a secret written into a project file that may be committed. */
  warnings: string[];
}

/** Answer of POST /api/mcp/remove. */
export interface McpRemoveResponse {
  editor: McpEditor;
  scope: McpScope;
  path: string;
  key: string;
  backup?: string;
  removed: true;
}

/** One configured server, checked live (connect, list tools, close). */
export interface McpStatusEntry {
  editor: McpEditor;
  scope: McpScope;
  path: string;
  name: string;
  transport: McpTransport | 'unknown';
  /** The executable of a stdio server (its arguments may hold secrets and are not shown). */
  command?: string;
  /** The URL of a remote server, without its query string. */
  url?: string;
  ok: boolean;
  /** Null when the server could not be listed. */
  tools_count: number | null;
  tools?: string[];
  server_info?: { name: string; version: string };
  latency_ms: number;
  /** Why it failed: the SDK's error, the stderr tail of a process that exited, a timeout. */
  error?: string;
  /** True when the editor's entry says `"disabled": true`; such servers are not started. */
  disabled?: boolean;
}

/** One config file looked at by GET /api/mcp/status. */
export interface McpConfigFile {
  editor: McpEditor;
  scope: McpScope;
  path: string;
  exists: boolean;
  servers: number;
  /** Set when the file could not be read as the editor's format. */
  error?: string;
}

/** Answer of GET /api/mcp/status. */
export interface McpStatusResponse {
  servers: McpStatusEntry[];
  files: McpConfigFile[];
  checked_at: string;
}

/** One of Atelier's own servers (GET /api/mcp/servers). */
export interface AtelierMcpServer {
  name: string;
  /** The registry id it was configured from. */
  server: string;
  transport: McpTransport;
  command?: string;
  args?: string[];
  url?: string;
  /** Secrets as "***". */
  env?: Record<string, string>;
  headers?: Record<string, string>;
  enabled: boolean;
  created_at: string;
  updated_at: string;
  /** `running` once the chat (or a call) started it; `failed` when the last start failed. */
  state: 'stopped' | 'running' | 'failed';
  /** The chat tool names it contributes (`mcp__<server>__<tool>`), while running. */
  tools: string[];
  /** The process of a running stdio server. */
  pid?: number;
  error?: string;
}

/** Answer of GET /api/mcp/servers. */
export interface AtelierMcpServersResponse {
  servers: AtelierMcpServer[];
}
