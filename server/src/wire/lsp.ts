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

/** `?stream=true` answers with SSE progress events instead of one JSON body when finished. */
export const LspStreamQuerySchema = z.strictObject({ stream: z.enum(['true', 'false']).optional() });

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
export type LspSource = 'managed' | 'path' | 'toolchain';

/** One registry server and whether (and where) it is installed here: an entry of GET /api/lsp. */
export interface LspServerState {
  id: string;
  name: string;
  homepage: string;
  /** LSP language ids the server handles. */
  languages: string[];
  file_extensions: string[];
  /** Executable name and the arguments that make it speak LSP over stdio. */
  command: string;
  args: string[];
  install_method: LspInstallMethod;
  installed: boolean;
  source: LspSource | null;
  /** Absolute path of the binary when installed. */
  path: string | null;
  version: string | null;
  /** Why the version could not be read (timeout, exit code), when installed but unreadable. */
  version_error: string | null;
  /** POST /api/lsp/install can install it here: its toolchain (npm, go, python3, rustup) is on PATH. */
  installable: boolean;
  /** The executable the install method needs, or null for `system`. */
  toolchain: string | null;
  /** Why it cannot be installed here: "needs go", or the system package hint for this OS. */
  install_hint: string | null;
  /** The install Atelier recorded (managed prefix or rustup), or null. */
  managed: { installed_at: string; spec: string } | null;
  /** This server's name in each editor's configuration; null when the editor has no support for it. */
  editors: {
    vscode: { extension: string | null; builtin: boolean };
    neovim: { lspconfig: string } | null;
    helix: { language_server: string; languages: string[] } | null;
    zed: { language_server: string; languages: string[] } | null;
  };
}

/** GET /api/lsp */
export interface LspListResponse {
  /** The managed install prefix (`<data dir>/lsp`). */
  prefix: string;
  servers: LspServerState[];
}

/** The outcome of one initialize → initialized → shutdown → exit handshake. */
export interface LspHealthResult {
  id: string;
  name: string;
  ok: boolean;
  path: string | null;
  /** Milliseconds from sending `initialize` to its answer; null when none came. */
  latency_ms: number | null;
  /** Milliseconds from spawn to the process' exit (or kill). */
  total_ms: number;
  /** `serverInfo` of the initialize result, when the server sent one. */
  server_info: { name: string; version: string | null } | null;
  /** Capability keys that are truthy and name a provider (`hoverProvider`, `completionProvider`, …), sorted. */
  capabilities: string[];
  /** What went wrong (not installed, timed out, exited, refused initialize), or null. */
  error: string | null;
  timed_out: boolean;
  exit_code: number | null;
  /** The last lines the server wrote to stderr, when it failed. */
  stderr_tail: string | null;
}

/** GET /api/lsp/health */
export interface LspHealthResponse {
  servers: LspHealthResult[];
}

/** Installer phases, in order: waiting for another install into the same prefix, each command, then the binary check. */
export type LspInstallPhase = 'queued' | 'npm' | 'go' | 'venv' | 'pip' | 'rustup' | 'verify';

/** One line of installer output (or a line Atelier writes, e.g. the command it runs). */
export interface LspInstallProgress {
  phase: LspInstallPhase;
  line: string;
  /** The server being installed (auto-install streams several). */
  id: string;
}

/**
 * One SSE event of POST /api/lsp/install?stream=true: progress lines, then `installed` with the
 * server's new state or `error`, then `{done:"true"}`.
 */
export type LspInstallStreamEvent =
  | { progress: LspInstallProgress }
  | { installed: LspServerState }
  | { error: string; code: string }
  | { done: 'true' };

/** POST /api/lsp/install without stream. */
export interface LspInstallResponse {
  installed: LspServerState;
  /** The installer's output (middle cut when long). */
  output: string;
}

/**
 * What auto-install did with a detected server: it was there already; it was installed; its
 * install failed; it cannot be installed here (system package, or missing toolchain); or,
 * in a dry run, it would be installed.
 */
export type LspAutoInstallAction = 'already_installed' | 'installed' | 'failed' | 'unavailable' | 'would_install';

/** One server auto-install proposed for the project. */
export interface LspAutoInstallEntry {
  id: string;
  name: string;
  /** What matched: extension patterns (`*.ts`) and marker file names (`tsconfig.json`). */
  detected_by: string[];
  action: LspAutoInstallAction;
  error?: string;
}

/** POST /api/lsp/auto-install (and the `result` event of its stream). */
export interface LspAutoInstallResponse {
  /** The real path of the project. */
  project_dir: string;
  dry_run: boolean;
  /** LSP language ids of the proposed servers. */
  languages: string[];
  /** Directory entries the walk looked at; `truncated` when it stopped at its limit. */
  scanned_entries: number;
  truncated: boolean;
  servers: LspAutoInstallEntry[];
}

/** One SSE event of POST /api/lsp/auto-install?stream=true. */
export type LspAutoInstallStreamEvent = { progress: LspInstallProgress } | { result: LspAutoInstallResponse } | { error: string; code: string } | { done: 'true' };

/** One file POST /api/lsp/editor-config generated. */
export interface LspEditorConfigFile {
  /** Absolute when project_dir was given, else relative to a project root (`.helix/languages.toml`). */
  path: string;
  /** The whole file as written (or as it would be written): existing content preserved, Atelier's part merged in. */
  content: string;
  written: boolean;
  /** False when the file already held exactly this content (nothing to write). */
  changed: boolean;
  /** Where the previous content was saved before writing (`<file>.atelier-backup`), or null. */
  backup: string | null;
}

/** POST /api/lsp/editor-config */
export interface LspEditorConfigResponse {
  editor: LspEditor;
  /** Registry ids the files configure. */
  servers: string[];
  files: LspEditorConfigFile[];
  /** Servers left out or configured by bare command name, and why. */
  notes: string[];
}
