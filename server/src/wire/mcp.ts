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
export const MCP_TRANSPORTS = ['stdio', 'http', 'sse'] as const;
export type McpTransport = (typeof MCP_TRANSPORTS)[number];

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

/** What an input's value is: the studio picks the field to show. */
const InputFormatSchema = z.enum(['string', 'number', 'boolean', 'filepath']);

/** What an input and a package argument have in common. */
const inputFields = {
  description: z.string(),
  required: z.boolean(),
  /** Shown as "***" once written; required secrets must be given to configure. */
  secret: z.boolean(),
  format: InputFormatSchema,
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
};

/** One input a server takes (environment variable, header), as the registry declares it. */
export const McpInputInfoSchema = z.object({
  name: z.string(),
  ...inputFields,
  /** A template the value follows, e.g. `Bearer {token}`. */
  template: z.string().optional(),
});
export type McpInputInfo = z.infer<typeof McpInputInfoSchema>;

/** One package argument: `key` is what POST /api/mcp/configure's `args` uses. */
export const McpArgumentInfoSchema = z.object({
  key: z.string(),
  kind: z.enum(['positional', 'named']),
  ...inputFields,
  repeated: z.boolean(),
  /** Set when the registry fixes the value: it is always written and cannot be changed. */
  fixed: z.string().optional(),
});
export type McpArgumentInfo = z.infer<typeof McpArgumentInfoSchema>;

/** One server of GET /api/mcp/registry. */
export const McpRegistryServerSchema = z.object({
  id: z.string(),
  title: z.string(),
  /** Reverse-DNS name of the official registry (`io.github.owner/name`). */
  name: z.string(),
  description: z.string(),
  status: z.enum(['active', 'deprecated']),
  version: z.string(),
  repository: z.string(),
  /** What `transport` may be in POST /api/mcp/configure; the first is the default. */
  transports: z.array(z.enum(['stdio', 'remote'])),
  package: z.object({ registry_type: z.enum(['npm', 'pypi', 'oci']), identifier: z.string(), version: z.string() }).optional(),
  /** The command Atelier writes for stdio, `<hint>` where a required value goes. */
  launch: z.object({ command: z.string(), args: z.array(z.string()) }).optional(),
  remote: z.object({ type: z.enum(['http', 'sse']), url: z.string() }).optional(),
  env: z.array(McpInputInfoSchema),
  args: z.array(McpArgumentInfoSchema),
  headers: z.array(McpInputInfoSchema),
});
export type McpRegistryServer = z.infer<typeof McpRegistryServerSchema>;

/** One editor Atelier writes to, with the file of each scope it supports. */
export const McpEditorInfoSchema = z.object({
  id: z.enum(MCP_EDITORS),
  title: z.string(),
  /** The user file (absolute) and the project file (relative to the project), when supported. */
  scopes: z.object({ user: z.string().optional(), project: z.string().optional() }),
  /** The key holding the servers (`mcpServers`, `servers`, `context_servers`, `mcp`). */
  servers_key: z.string(),
  /** `jsonc`: comments and trailing commas allowed (and kept); `json`: strict. */
  format: z.enum(['json', 'jsonc', 'sqlite']),
  /** Whether remote (URL) servers can be written. */
  remote: z.boolean(),
});
export type McpEditorInfo = z.infer<typeof McpEditorInfoSchema>;

/** Answer of GET /api/mcp/registry. */
export const McpRegistryResponseSchema = z.object({
  servers: z.array(McpRegistryServerSchema),
  editors: z.array(McpEditorInfoSchema),
});
export type McpRegistryResponse = z.infer<typeof McpRegistryResponseSchema>;

/** Answer of POST /api/mcp/configure. */
export const McpConfigureResponseSchema = z.object({
  editor: z.enum(MCP_EDITORS),
  scope: z.enum(MCP_SCOPES),
  /** The file written (for `atelier`, its database). */
  path: z.string(),
  /** The key the entry was written under. */
  key: z.string(),
  /** The file as it was before this change; absent when the file is new. */
  backup: z.string().optional(),
  /** True when an entry of the same key was replaced. */
  replaced: z.boolean(),
  /** The entry as written, secrets as "***". */
  entry: z.record(z.string(), z.unknown()),
  /** E.g. a secret written into a project file that may be committed. */
  warnings: z.array(z.string()),
});
export type McpConfigureResponse = z.infer<typeof McpConfigureResponseSchema>;

/** Answer of POST /api/mcp/remove. */
export const McpRemoveResponseSchema = z.object({
  editor: z.enum(MCP_EDITORS),
  scope: z.enum(MCP_SCOPES),
  path: z.string(),
  key: z.string(),
  backup: z.string().optional(),
  removed: z.literal(true),
});
export type McpRemoveResponse = z.infer<typeof McpRemoveResponseSchema>;

/** One configured server, checked live (connect, list tools, close). */
export const McpStatusEntrySchema = z.object({
  editor: z.enum(MCP_EDITORS),
  scope: z.enum(MCP_SCOPES),
  path: z.string(),
  name: z.string(),
  transport: z.enum([...MCP_TRANSPORTS, 'unknown']),
  /** The executable of a stdio server (its arguments may hold secrets and are not shown). */
  command: z.string().optional(),
  /** The URL of a remote server, without its query string. */
  url: z.string().optional(),
  ok: z.boolean(),
  /** Null when the server could not be listed. */
  tools_count: z.number().int().nullable(),
  tools: z.array(z.string()).optional(),
  server_info: z.object({ name: z.string(), version: z.string() }).optional(),
  latency_ms: z.number(),
  /** Why it failed: the SDK's error, the stderr tail of a process that exited, a timeout. */
  error: z.string().optional(),
  /** True when the editor's entry says `"disabled": true`; such servers are not started. */
  disabled: z.boolean().optional(),
});
export type McpStatusEntry = z.infer<typeof McpStatusEntrySchema>;

/** One config file looked at by GET /api/mcp/status. */
export const McpConfigFileSchema = z.object({
  editor: z.enum(MCP_EDITORS),
  scope: z.enum(MCP_SCOPES),
  path: z.string(),
  exists: z.boolean(),
  servers: z.number().int(),
  /** Set when the file could not be read as the editor's format. */
  error: z.string().optional(),
});
export type McpConfigFile = z.infer<typeof McpConfigFileSchema>;

/** Answer of GET /api/mcp/status. */
export const McpStatusResponseSchema = z.object({
  servers: z.array(McpStatusEntrySchema),
  files: z.array(McpConfigFileSchema),
  checked_at: z.string(),
});
export type McpStatusResponse = z.infer<typeof McpStatusResponseSchema>;

/** One of Atelier's own servers (GET /api/mcp/servers). */
export const AtelierMcpServerSchema = z.object({
  name: z.string(),
  /** The registry id it was configured from. */
  server: z.string(),
  transport: z.enum(MCP_TRANSPORTS),
  command: z.string().optional(),
  args: z.array(z.string()).optional(),
  url: z.string().optional(),
  /** Secrets as "***". */
  env: z.record(z.string(), z.string()).optional(),
  headers: z.record(z.string(), z.string()).optional(),
  enabled: z.boolean(),
  created_at: z.string(),
  updated_at: z.string(),
  /** `running` once the chat (or a call) started it; `failed` when the last start failed. */
  state: z.enum(['stopped', 'running', 'failed']),
  /** The chat tool names it contributes (`mcp__<server>__<tool>`), while running. */
  tools: z.array(z.string()),
  /** The process of a running stdio server. */
  pid: z.number().int().optional(),
  error: z.string().optional(),
});
export type AtelierMcpServer = z.infer<typeof AtelierMcpServerSchema>;

/** Answer of GET /api/mcp/servers. */
export const AtelierMcpServersResponseSchema = z.object({ servers: z.array(AtelierMcpServerSchema) });
export type AtelierMcpServersResponse = z.infer<typeof AtelierMcpServersResponseSchema>;
