import { z } from 'zod';
import { BmadSchema, ProfileSchema, ProviderSchema, TerminalSettingsSchema, type AtelierConfig } from '../wire/config.js';
import { ChatSettingsSchema, PermissionSettingsSchema } from '../wire/permissions.js';
import { defaultConfig } from './defaults.js';

/**
 * config.json as read from disk. Sections missing from the file take their defaults and
 * unknown keys are dropped (a newer or hand-edited file still loads); wrong types are corrupt.
 */
export const ConfigFileSchema = z
  .object({
    version: z.literal(1).optional(),
    profile: z.object(ProfileSchema.shape).partial().optional(),
    terminal: z.object(TerminalSettingsSchema.shape).partial().optional(),
    bmad: z.object(BmadSchema.shape).partial().optional(),
    permissions: z.object(PermissionSettingsSchema.shape).partial().optional(),
    chat: z.object(ChatSettingsSchema.shape).partial().optional(),
    providers: z.array(z.object(ProviderSchema.shape)).optional(),
  })
  .transform((file): AtelierConfig => {
    const d = defaultConfig();
    return {
      profile: { ...d.profile, ...file.profile },
      terminal: { ...d.terminal, ...file.terminal },
      bmad: { ...d.bmad, ...file.bmad },
      permissions: { ...d.permissions, ...file.permissions },
      chat: { ...d.chat, ...file.chat },
      providers: file.providers ?? [],
    };
  });

/** The in-memory config, checked in full before every write. */
export const ConfigSchema = z.strictObject({
  profile: ProfileSchema,
  terminal: TerminalSettingsSchema,
  bmad: BmadSchema,
  permissions: PermissionSettingsSchema,
  chat: ChatSettingsSchema,
  providers: z.array(ProviderSchema).refine((list) => new Set(list.map((p) => p.id)).size === list.length, 'provider ids must be unique'),
});

/** What config.json holds on disk. */
export function serializeConfig(config: AtelierConfig): string {
  return `${JSON.stringify({ version: 1, ...config }, null, 2)}\n`;
}
