/** Terminal shapes shared by server and studio. */
import { z } from 'zod';
import { MASK } from './config.js';
import { TERMINAL_MAX_COLS, TERMINAL_MAX_ROWS, TERMINAL_MIN_COLS, TERMINAL_MIN_ROWS } from './terminal-limits.js';

const hexColor = z.string().regex(/^#[0-9a-fA-F]{6}([0-9a-fA-F]{2})?$/, 'must be #rrggbb or #rrggbbaa');

/** An xterm.js theme as stored in themes/<name>.json (the keys of xterm's ITheme). */
export const TerminalThemeSchema = z.strictObject({
  name: z.string().regex(/^[a-z0-9-]+$/),
  label: z.string().min(1),
  dark: z.boolean(),
  colors: z.strictObject({
    background: hexColor,
    foreground: hexColor,
    cursor: hexColor,
    cursorAccent: hexColor,
    selectionBackground: hexColor,
    black: hexColor,
    red: hexColor,
    green: hexColor,
    yellow: hexColor,
    blue: hexColor,
    magenta: hexColor,
    cyan: hexColor,
    white: hexColor,
    brightBlack: hexColor,
    brightRed: hexColor,
    brightGreen: hexColor,
    brightYellow: hexColor,
    brightBlue: hexColor,
    brightMagenta: hexColor,
    brightCyan: hexColor,
    brightWhite: hexColor,
  }),
});
export type TerminalTheme = z.infer<typeof TerminalThemeSchema>;

// ─── WS /api/ws/terminal ────────────────────────────────────────────────────────────────
// Client → server: JSON text frames below. Server → client: JSON text frames below for
// control, and terminal output as raw BINARY frames (UTF-8 bytes, no JSON) for throughput.

export { FLOW_CONTROL, TERMINAL_MAX_COLS, TERMINAL_MAX_ROWS, TERMINAL_MIN_COLS, TERMINAL_MIN_ROWS } from './terminal-limits.js';

const cols = z.number().int().min(TERMINAL_MIN_COLS).max(TERMINAL_MAX_COLS);
const rows = z.number().int().min(TERMINAL_MIN_ROWS).max(TERMINAL_MAX_ROWS);

export const TerminalKindSchema = z.enum(['local', 'wsl', 'ssh']);
export type TerminalKind = z.infer<typeof TerminalKindSchema>;

/** `init` starts a session: a local shell, a WSL distribution, or a saved SSH connection. */
export const TerminalInitSchema = z.strictObject({
  kind: TerminalKindSchema,
  /** local: shell path (default: the configured shell, else $SHELL). */
  shell: z.string().min(1).max(500).optional(),
  /** wsl: distribution name. */
  distro: z.string().min(1).max(200).optional(),
  /** ssh: name of a saved connection. */
  connection: z.string().min(1).max(100).optional(),
  /** local: working directory (default: home). */
  cwd: z.string().min(1).max(4096).optional(),
  cols,
  rows,
});
export type TerminalInit = z.infer<typeof TerminalInitSchema>;

/** Every frame a client may send. */
export const TerminalClientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('init'), data: TerminalInitSchema }),
  z.strictObject({ type: z.literal('attach'), data: z.strictObject({ id: z.string().min(1).max(100) }) }),
  z.strictObject({ type: z.literal('input'), data: z.string().max(1024 * 1024) }),
  z.strictObject({ type: z.literal('resize'), data: z.strictObject({ cols, rows }) }),
  /** Bytes of binary output the client has consumed (written into xterm) since its last ack. */
  z.strictObject({ type: z.literal('ack'), data: z.number().int().nonnegative() }),
  /** Ends the session (the tab was closed), as opposed to a dropped socket, which only detaches. */
  z.strictObject({ type: z.literal('close') }),
]);
export type TerminalClientMessage = z.infer<typeof TerminalClientMessageSchema>;

/** Control frames the server sends (output travels as binary frames). */
export type TerminalServerMessage =
  | { type: 'ready'; data: { id: string; kind: TerminalKind; title: string } }
  | { type: 'exit'; data: { code: number | null; signal: string | null } }
  /** The session is paused, waiting on another viewer that is behind (true), or runs again (false). */
  | { type: 'paused'; data: { paused: boolean } }
  | { type: 'error'; data: { error: string; code: string } };

// ─── Saved SSH connections: GET/POST /api/terminal/sessions, DELETE …/:name, POST …/:name/host-key ───

/** Secrets go out as this and, sent back, mean "keep the stored one" (the same mask as provider keys). */
export const SSH_SECRET_MASK = MASK;

/** A saved connection's name: what `init.connection` and `jump` refer to. */
export const SshConnectionNameSchema = z.string().regex(/^[A-Za-z0-9._-]{1,64}$/, 'must be 1 to 64 letters, digits, ".", "_" or "-"');

/** Path parameter of DELETE …/:name and POST …/:name/host-key: any name; one that cannot exist is simply unknown (404). */
export const SshConnectionNameParamsSchema = z.strictObject({ name: z.string().min(1).max(200) });

export const SshAuthSchema = z.enum(['password', 'key', 'agent']);
export type SshAuth = z.infer<typeof SshAuthSchema>;

/** An OpenSSH-style host key fingerprint: "SHA256:" and the unpadded base64 of the key blob's SHA-256. */
export const HostKeyFingerprintSchema = z.string().regex(/^SHA256:[A-Za-z0-9+/]{43}$/, 'must look like SHA256:<43 base64 characters>');

const noSpaces = /^[^\s\p{Cc}]+$/u;

/**
 * Body of POST /api/terminal/sessions: creates the connection or replaces the one with that
 * name. Secrets (password, private_key, passphrase) absent or "***" keep the stored value and
 * "" clears it, so the editor can send back what GET gave it. Secrets the chosen auth does
 * not use are dropped. key_path and jump: absent keeps, null clears.
 */
export const SshConnectionInputSchema = z
  .strictObject({
    name: SshConnectionNameSchema,
    host: z.string().min(1).max(255).regex(noSpaces, 'must not contain spaces'),
    port: z.number().int().min(1).max(65535).default(22),
    username: z.string().min(1).max(255).regex(noSpaces, 'must not contain spaces'),
    auth: SshAuthSchema,
    password: z.string().max(4096).optional(),
    /** PEM / OpenSSH private key text. */
    private_key: z.string().max(64 * 1024).optional(),
    /** Path of a private key file on the machine running Atelier (`~/` is the server user's home). */
    key_path: z
      .string()
      .max(4096)
      .regex(/^(\/|~\/|[A-Za-z]:[\\/])/, 'must be an absolute path (or start with ~/)')
      .nullable()
      .optional(),
    passphrase: z.string().max(4096).optional(),
    /** Name of another saved connection to hop through (its host reaches this one). */
    jump: SshConnectionNameSchema.nullable().optional(),
  })
  .superRefine((c, ctx) => {
    const newKey = c.private_key !== undefined && c.private_key !== '' && c.private_key !== SSH_SECRET_MASK;
    if (c.auth === 'key' && newKey && typeof c.key_path === 'string') {
      ctx.addIssue({ code: 'custom', path: ['key_path'], message: 'give private_key or key_path, not both' });
    }
    if (c.jump === c.name) ctx.addIssue({ code: 'custom', path: ['jump'], message: 'a connection cannot jump through itself' });
  });
export type SshConnectionInput = z.infer<typeof SshConnectionInputSchema>;
/** The body as a client sends it (`port` may be left out: 22). */
export type SshConnectionInputBody = z.input<typeof SshConnectionInputSchema>;

const mask = z.enum([SSH_SECRET_MASK, '']);

/** A saved connection as it leaves the server: each secret is "***" when stored, "" when not. */
export const SshConnectionPublicSchema = z.strictObject({
  name: z.string(),
  host: z.string(),
  port: z.number().int(),
  username: z.string(),
  auth: SshAuthSchema,
  password: mask,
  private_key: mask,
  key_path: z.string().nullable(),
  passphrase: mask,
  jump: z.string().nullable(),
  /** The pinned host key, or null until the first successful connection (or a confirmed probe). */
  host_key_sha256: z.string().nullable(),
  /** ISO time the host key was pinned. */
  host_key_pinned_at: z.string().nullable(),
  updated_at: z.string(),
});
export type SshConnectionPublic = z.infer<typeof SshConnectionPublicSchema>;

/**
 * Body of POST /api/terminal/sessions/:name/host-key, for the editor's host-key confirmation:
 * `probe` reads the key the host presents now; `pin` stores it if a fresh probe still shows
 * that fingerprint; `forget` clears the pin (the next connection pins again).
 */
export const SshHostKeyActionSchema = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('probe') }),
  z.strictObject({ action: z.literal('pin'), fingerprint: HostKeyFingerprintSchema }),
  z.strictObject({ action: z.literal('forget') }),
]);
export type SshHostKeyAction = z.infer<typeof SshHostKeyActionSchema>;

/** Answer to a `probe`: what the host presents, what is pinned, whether they agree. */
export const SshHostKeyProbeSchema = z.strictObject({
  fingerprint: z.string(),
  pinned: z.string().nullable(),
  matches: z.boolean(),
});
export type SshHostKeyProbe = z.infer<typeof SshHostKeyProbeSchema>;

// ─── GET /api/terminal/sessions ─────────────────────────────────────────────────────────

/** A terminal this machine starts without a saved connection: a local shell or a WSL distribution. */
export const SystemTerminalSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('local'), name: z.string(), shell: z.string() }),
  z.strictObject({ kind: z.literal('wsl'), name: z.string(), distro: z.string() }),
]);
export type SystemTerminal = z.infer<typeof SystemTerminalSchema>;

/** A running session (or one that exited and is still kept for a re-attach). */
export const TerminalSessionInfoSchema = z.strictObject({
  id: z.string(),
  kind: TerminalKindSchema,
  title: z.string(),
  /** ISO time the session started. */
  created_at: z.string(),
  /** Sockets watching it now. */
  viewers: z.number().int().nonnegative(),
  exited: z.boolean(),
  /** Output reading is paused because a viewer is behind. */
  paused: z.boolean(),
});
export type TerminalSessionInfo = z.infer<typeof TerminalSessionInfoSchema>;

/** Answer of GET /api/terminal/sessions: what the "new terminal" menu offers, and what runs. */
export const TerminalSessionsResponseSchema = z.strictObject({
  connections: z.array(SshConnectionPublicSchema),
  system: z.array(SystemTerminalSchema),
  active: z.array(TerminalSessionInfoSchema),
});
export type TerminalSessionsResponse = z.infer<typeof TerminalSessionsResponseSchema>;
