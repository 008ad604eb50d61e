/**
 * Configuration shapes shared by server and studio. The zod schemas validate requests and
 * config.json; the types are inferred from them, so the wire has one source of truth.
 */
import { z } from 'zod';
import { ChatSettingsSchema, PermissionSettingsSchema, type ChatSettings, type PermissionSettings } from './permissions.js';
import {
  TERMINAL_DETACH_GRACE_MAX_S,
  TERMINAL_FONT_SIZE_MAX,
  TERMINAL_FONT_SIZE_MIN,
  TERMINAL_MAX_SESSIONS_MAX,
  TERMINAL_SCROLLBACK_MAX_LINES,
} from './terminal-limits.js';
import { SECRET_MASK } from './settings-values.js';

/** The placeholder every secret is replaced with on the way out (and means "keep" on the way in). */
export const MASK = SECRET_MASK;

export const LanguageSchema = z.enum(['en', 'fr']);
export type Language = z.infer<typeof LanguageSchema>;

const profileShape = {
  name: z.string().max(100),
  language: LanguageSchema,
  /** Provider id, or '' for none. */
  active_provider: z.string().max(64),
  active_model: z.string().max(200),
  /** When true, the chat and workflow tools may run sudo/doas/pkexec/su. */
  sudo_bypass: z.boolean(),
};
export const ProfileSchema = z.strictObject(profileShape);
export type Profile = z.infer<typeof ProfileSchema>;
/** Body of PUT /api/config/profile: any subset, merged into the stored profile. */
export const ProfilePatchSchema = ProfileSchema.partial();
export type ProfilePatch = z.infer<typeof ProfilePatchSchema>;

const terminalShape = {
  /** Shell for new local terminals; '' means the login shell ($SHELL). */
  shell: z.string().max(500),
  font_family: z.string().min(1).max(200),
  font_size: z.number().int().min(TERMINAL_FONT_SIZE_MIN).max(TERMINAL_FONT_SIZE_MAX),
  /** Theme name, a file in themes/ without `.json`. */
  theme: z.string().min(1).max(100),
  scrollback: z.number().int().min(0).max(TERMINAL_SCROLLBACK_MAX_LINES),
  cursor_style: z.enum(['block', 'underline', 'bar']),
  cursor_blink: z.boolean(),
  /** How long a terminal with no open tab keeps running before it is closed. */
  detach_grace_s: z.number().int().min(1).max(TERMINAL_DETACH_GRACE_MAX_S),
  /** Live terminal sessions (and terminal sockets) allowed at once; the next is refused. */
  max_sessions: z.number().int().min(1).max(TERMINAL_MAX_SESSIONS_MAX),
};
export const TerminalSettingsSchema = z.strictObject(terminalShape);
export type TerminalSettings = z.infer<typeof TerminalSettingsSchema>;
/** Body of PUT /api/terminal/settings: any subset, merged. */
export const TerminalSettingsPatchSchema = TerminalSettingsSchema.partial();
export type TerminalSettingsPatch = z.infer<typeof TerminalSettingsPatchSchema>;

const bmadShape = {
  user_name: z.string().max(100),
  communication_language: z.string().max(50),
  output_folder: z.string().max(500),
};
export const BmadSchema = z.strictObject(bmadShape);
export type Bmad = z.infer<typeof BmadSchema>;
/** Body of PUT /api/config/bmad: any subset, merged. */
export const BmadPatchSchema = BmadSchema.partial();

export const ProviderTypeSchema = z.enum(['openai', 'anthropic', 'minimax', 'zai', 'mimo', 'openrouter', 'ollama']);
export type ProviderType = z.infer<typeof ProviderTypeSchema>;

export const ProviderIdSchema = z
  .string()
  .regex(/^[a-z0-9][a-z0-9_-]{0,63}$/, 'must be 1-64 lowercase letters, digits, - or _, starting with a letter or digit');

const providerShape = {
  id: ProviderIdSchema,
  name: z.string().min(1).max(100),
  type: ProviderTypeSchema,
  base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }),
  /** Stored in clear in config.json (mode 0600); always `"***"` (or '' when unset) on the wire. */
  api_key: z.string().max(4096),
  /** Default model for this provider. */
  model: z.string().max(200),
  /** Models the user can pick from, when known. */
  models: z.array(z.string().min(1).max(200)).max(500).optional(),
};
export const ProviderSchema = z.strictObject(providerShape);
export type Provider = z.infer<typeof ProviderSchema>;

/** Body of PUT /api/config/provider: creates or replaces one provider; api_key "***" or absent keeps the stored key. */
export const ProviderInputSchema = ProviderSchema.extend({
  api_key: z.string().max(4096).optional(),
  model: z.string().max(200).default(''),
});
export type ProviderInput = z.input<typeof ProviderInputSchema>;

/** Path of DELETE /api/config/provider/{id} and POST /api/providers/{id}/verify: a malformed id is a 400. */
export const ProviderIdParams = z.strictObject({ id: ProviderIdSchema });

/** The whole of config.json. */
export interface AtelierConfig {
  profile: Profile;
  terminal: TerminalSettings;
  bmad: Bmad;
  permissions: PermissionSettings;
  chat: ChatSettings;
  providers: Provider[];
}

/** GET /api/config: everything but the providers (which carry secrets). */
export const PublicConfigSchema = z.object({
  profile: ProfileSchema,
  terminal: TerminalSettingsSchema,
  bmad: BmadSchema,
  permissions: PermissionSettingsSchema,
  chat: ChatSettingsSchema,
});
export type PublicConfig = z.infer<typeof PublicConfigSchema>;

/** One entry of GET /api/config/generations. */
export const ConfigGenerationSchema = z.object({
  generation: z.number().int().positive(),
  created_at: z.string(),
  /** What made this generation: "profile", "provider:<id>", "reset", "rollback:<n>", … */
  reason: z.string(),
  /** Dotted paths that changed from the previous generation (secrets named, never shown). */
  changes: z.array(z.string()),
  current: z.boolean(),
});
export type ConfigGeneration = z.infer<typeof ConfigGenerationSchema>;

/** Body of POST /api/config/rollback. */
export const RollbackSchema = z.strictObject({ generation: z.number().int().positive() });
