/**
 * Language servers (SPEC §7 "LSP, MCP, skills"), shared by server and studio: the installed
 * state of every server of the registry, live handshakes, installs into Atelier's managed
 * prefix (with their SSE progress), project auto-install and editor configuration files.
 */
import { z } from 'zod';

/** How a registry entry is installed (`install.method` in server/src/lsp/registry.json). */
export const LSP_INSTALL_METHODS = ['npm', 'go', 'pip', 'rustup', 'system'] as const;
export type LspInstallMethod = (typeof LSP_INSTALL_METHODS)[number];

/** Editors POST /api/lsp/editor-config writes for. */
export const LSP_EDITORS = ['vscode', 'neovim', 'helix', 'zed'] as const;
export type LspEditor = (typeof LSP_EDITORS)[number];

/** A registry id: lower-case letters, digits and dashes. */
const ServerIdSchema = z.string().regex(/^[a-z0-9][a-z0-9-]{0,63}$/, 'must be a language server id from GET /api/lsp');

/** An absolute project directory inside the home directory (checked by the server, symlinks followed). */
const ProjectDirSchema = z.string().min(1).max(4096);

/** Query of GET /api/lsp/health: one server, or every installed one when absent. */
export const LspHealthQuerySchema = z.strictObject({ id: ServerIdSchema.optional() });

/** Body of POST /api/lsp/install. */
export const LspInstallRequestSchema = z.strictObject({ id: ServerIdSchema });

/** Body of POST /api/lsp/auto-install. */
export const LspAutoInstallRequestSchema = z.strictObject({
  project_dir: ProjectDirSchema,
  /** Detect and report what would be installed, install nothing. */
  dry_run: z.boolean().optional(),
});

/** Body of POST /api/lsp/editor-config. */
export const LspEditorConfigRequestSchema = z
  .strictObject({
    editor: z.enum(LSP_EDITORS),
    /** Needed to write; without it the files are only generated, with paths relative to a project. */
    project_dir: ProjectDirSchema.optional(),
    /** Registry ids; default: every installed server. */
    servers: z.array(ServerIdSchema).max(64).optional(),
    /** Write the files into project_dir (preserving what they hold, keeping a backup). */
    write: z.boolean().optional(),
  })
  .refine((body) => !body.write || body.project_dir !== undefined, { path: ['project_dir'], message: 'is required when write is true' });

export type LspEditorConfigRequest = z.infer<typeof LspEditorConfigRequestSchema>;
export type LspAutoInstallRequest = z.infer<typeof LspAutoInstallRequestSchema>;

/** Where a server's binary was found: Atelier's managed prefix, PATH, or a toolchain's own store (`rustup which`). */
export const LspSourceSchema = z.enum(['managed', 'path', 'toolchain']);
export type LspSource = z.infer<typeof LspSourceSchema>;

/** A server's name and languages in an editor that configures it by language (Helix, Zed). */
const LanguageServerEntrySchema = z.object({ language_server: z.string(), languages: z.array(z.string()) });

/** One registry server and whether (and where) it is installed here: an entry of GET /api/lsp. */
export const LspServerStateSchema = z.object({
  id: z.string(),
  name: z.string(),
  homepage: z.string(),
  /** LSP language ids the server handles. */
  languages: z.array(z.string()),
  file_extensions: z.array(z.string()),
  /** Executable name and the arguments that make it speak LSP over stdio. */
  command: z.string(),
  args: z.array(z.string()),
  install_method: z.enum(LSP_INSTALL_METHODS),
  installed: z.boolean(),
  source: LspSourceSchema.nullable(),
  /** Absolute path of the binary when installed. */
  path: z.string().nullable(),
  version: z.string().nullable(),
  /** Why the version could not be read (timeout, exit code), when installed but unreadable. */
  version_error: z.string().nullable(),
  /** POST /api/lsp/install can install it here: its toolchain (npm, go, python3, rustup) is on PATH. */
  installable: z.boolean(),
  /** The executable the install method needs, or null for `system`. */
  toolchain: z.string().nullable(),
  /** Why it cannot be installed here: "needs go", or the system package hint for this OS. */
  install_hint: z.string().nullable(),
  /** The install Atelier recorded (managed prefix or rustup), or null. */
  managed: z.object({ installed_at: z.string(), spec: z.string() }).nullable(),
  /** This server's name in each editor's configuration; null when the editor has no support for it. */
  editors: z.object({
    vscode: z.object({ extension: z.string().nullable(), builtin: z.boolean() }),
    neovim: z.object({ lspconfig: z.string() }).nullable(),
    helix: LanguageServerEntrySchema.nullable(),
    zed: LanguageServerEntrySchema.nullable(),
  }),
});
export type LspServerState = z.infer<typeof LspServerStateSchema>;

/** GET /api/lsp */
export const LspListResponseSchema = z.object({
  /** The managed install prefix (`<data dir>/lsp`). */
  prefix: z.string(),
  servers: z.array(LspServerStateSchema),
});
export type LspListResponse = z.infer<typeof LspListResponseSchema>;

/** The outcome of one initialize → initialized → shutdown → exit handshake. */
export const LspHealthResultSchema = z.object({
  id: z.string(),
  name: z.string(),
  ok: z.boolean(),
  path: z.string().nullable(),
  /** Milliseconds from sending `initialize` to its answer; null when none came. */
  latency_ms: z.number().nullable(),
  /** Milliseconds from spawn to the process' exit (or kill). */
  total_ms: z.number(),
  /** `serverInfo` of the initialize result, when the server sent one. */
  server_info: z.object({ name: z.string(), version: z.string().nullable() }).nullable(),
  /** Capability keys that are truthy and name a provider (`hoverProvider`, `completionProvider`, …), sorted. */
  capabilities: z.array(z.string()),
  /** What went wrong (not installed, timed out, exited, refused initialize), or null. */
  error: z.string().nullable(),
  timed_out: z.boolean(),
  exit_code: z.number().int().nullable(),
  /** The last lines the server wrote to stderr, when it failed. */
  stderr_tail: z.string().nullable(),
});
export type LspHealthResult = z.infer<typeof LspHealthResultSchema>;

/** GET /api/lsp/health */
export const LspHealthResponseSchema = z.object({ servers: z.array(LspHealthResultSchema) });
export type LspHealthResponse = z.infer<typeof LspHealthResponseSchema>;

/** Installer phases, in order: waiting for another install into the same prefix, each command, then the binary check. */
export const LSP_INSTALL_PHASES = ['queued', 'npm', 'go', 'venv', 'pip', 'rustup', 'verify'] as const;
export type LspInstallPhase = (typeof LSP_INSTALL_PHASES)[number];

/** One line of installer output (or a line Atelier writes, e.g. the command it runs). */
export const LspInstallProgressSchema = z.object({
  phase: z.enum(LSP_INSTALL_PHASES),
  line: z.string(),
  /** The server being installed (auto-install streams several). */
  id: z.string(),
});
export type LspInstallProgress = z.infer<typeof LspInstallProgressSchema>;

/**
 * One SSE event of POST /api/lsp/install?stream=true: progress lines, then `installed` with the
 * server's new state (or `{error, code}`), then `{done:"true"}`.
 */
export const LspInstallEventSchema = z.union([z.object({ progress: LspInstallProgressSchema }), z.object({ installed: LspServerStateSchema })]);
export type LspInstallEvent = z.infer<typeof LspInstallEventSchema>;

/** POST /api/lsp/install without stream. */
export const LspInstallResponseSchema = z.object({
  installed: LspServerStateSchema,
  /** The installer's output (middle cut when long). */
  output: z.string(),
});
export type LspInstallResponse = z.infer<typeof LspInstallResponseSchema>;

/**
 * What auto-install did with a detected server: it was there already; it was installed; its
 * install failed; it cannot be installed here (system package, or missing toolchain); or,
 * in a dry run, it would be installed.
 */
export const LSP_AUTO_INSTALL_ACTIONS = ['already_installed', 'installed', 'failed', 'unavailable', 'would_install'] as const;
export type LspAutoInstallAction = (typeof LSP_AUTO_INSTALL_ACTIONS)[number];

/** One server auto-install proposed for the project. */
export const LspAutoInstallEntrySchema = z.object({
  id: z.string(),
  name: z.string(),
  /** What matched: extension patterns (`*.ts`) and marker file names (`tsconfig.json`). */
  detected_by: z.array(z.string()),
  action: z.enum(LSP_AUTO_INSTALL_ACTIONS),
  error: z.string().optional(),
});
export type LspAutoInstallEntry = z.infer<typeof LspAutoInstallEntrySchema>;

/** POST /api/lsp/auto-install (and the `result` event of its stream). */
export const LspAutoInstallResponseSchema = z.object({
  /** The real path of the project. */
  project_dir: z.string(),
  dry_run: z.boolean(),
  /** LSP language ids of the proposed servers. */
  languages: z.array(z.string()),
  /** Directory entries the walk looked at; `truncated` when it stopped at its limit. */
  scanned_entries: z.number().int(),
  truncated: z.boolean(),
  servers: z.array(LspAutoInstallEntrySchema),
});
export type LspAutoInstallResponse = z.infer<typeof LspAutoInstallResponseSchema>;

/** One SSE event of POST /api/lsp/auto-install?stream=true: progress lines of each install, then `result`. */
export const LspAutoInstallEventSchema = z.union([z.object({ progress: LspInstallProgressSchema }), z.object({ result: LspAutoInstallResponseSchema })]);
export type LspAutoInstallEvent = z.infer<typeof LspAutoInstallEventSchema>;

/** One file POST /api/lsp/editor-config generated. */
export const LspEditorConfigFileSchema = z.object({
  /** Absolute when project_dir was given, else relative to a project root (`.helix/languages.toml`). */
  path: z.string(),
  /** The whole file as written (or as it would be written): existing content preserved, Atelier's part merged in. */
  content: z.string(),
  written: z.boolean(),
  /** False when the file already held exactly this content (nothing to write). */
  changed: z.boolean(),
  /** Where the previous content was saved before writing (`<file>.atelier-backup`), or null. */
  backup: z.string().nullable(),
});
export type LspEditorConfigFile = z.infer<typeof LspEditorConfigFileSchema>;

/** POST /api/lsp/editor-config */
export const LspEditorConfigResponseSchema = z.object({
  editor: z.enum(LSP_EDITORS),
  /** Registry ids the files configure. */
  servers: z.array(z.string()),
  files: z.array(LspEditorConfigFileSchema),
  /** Servers left out or configured by bare command name, and why. */
  notes: z.array(z.string()),
});
export type LspEditorConfigResponse = z.infer<typeof LspEditorConfigResponseSchema>;
