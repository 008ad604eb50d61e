import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { issuesText } from '../issues-text.js';

/**
 * registry.json: curated MCP servers as data, each a `server.json` document of the official MCP
 * registry plus our `id`, `title` and `status` (docs/registries.md). Validated here, at load, so
 * a broken file stops the server at start instead of failing a configure later.
 */

/** From server/src/mcp (tsx, vitest) and server/dist/mcp (compiled) alike, the file in the source tree. */
const REGISTRY_FILE = fileURLToPath(new URL('../../src/mcp/registry.json', import.meta.url));

const FormatSchema = z.enum(['string', 'number', 'boolean', 'filepath']);

/** The input fields arguments, environment variables and headers share. */
const InputFields = {
  description: z.string().optional(),
  isRequired: z.boolean().optional(),
  isSecret: z.boolean().optional(),
  format: FormatSchema.optional(),
  default: z.string().optional(),
  placeholder: z.string().optional(),
  choices: z.array(z.string()).optional(),
  /** A fixed value: written as is, never asked. */
  value: z.string().optional(),
  isRepeated: z.boolean().optional(),
};
const VariableSchema = z.strictObject({ ...InputFields });
const WithVariables = { ...InputFields, variables: z.record(z.string(), VariableSchema).optional() };

const ArgumentSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('positional'), valueHint: z.string().min(1).optional(), ...WithVariables }),
  z.strictObject({ type: z.literal('named'), name: z.string().min(1), ...WithVariables }),
]);
export type RegistryArgument = z.infer<typeof ArgumentSchema>;

const KeyValueInputSchema = z.strictObject({ name: z.string().min(1), ...WithVariables });
export type RegistryKeyValueInput = z.infer<typeof KeyValueInputSchema>;

const PackageSchema = z.strictObject({
  registryType: z.enum(['npm', 'pypi', 'oci']),
  registryBaseUrl: z.url().optional(),
  identifier: z.string().min(1),
  version: z.string().min(1).optional(),
  runtimeHint: z.enum(['npx', 'uvx', 'docker']).optional(),
  transport: z.strictObject({ type: z.literal('stdio') }),
  runtimeArguments: z.array(ArgumentSchema).optional(),
  packageArguments: z.array(ArgumentSchema).optional(),
  environmentVariables: z.array(KeyValueInputSchema).optional(),
});
export type RegistryPackage = z.infer<typeof PackageSchema>;

const RemoteSchema = z.strictObject({
  type: z.enum(['streamable-http', 'sse']),
  url: z.url({ protocol: /^https?$/ }),
  headers: z.array(KeyValueInputSchema).optional(),
});
export type RegistryRemote = z.infer<typeof RemoteSchema>;

/** One entry of registry.json. */
export const RegistryServerSchema = z
  .strictObject({
    id: z.string().regex(/^[a-z0-9-]+$/),
    title: z.string().min(1),
    name: z.string().regex(/^[a-zA-Z0-9.-]+\/[a-zA-Z0-9._-]+$/),
    description: z.string().min(1).max(100),
    status: z.enum(['active', 'deprecated']),
    repository: z.strictObject({ url: z.url(), source: z.literal('github'), subfolder: z.string().optional() }),
    version: z.string().min(1),
    packages: z.array(PackageSchema).optional(),
    remotes: z.array(RemoteSchema).optional(),
  })
  .refine((s) => (s.packages?.length ?? 0) + (s.remotes?.length ?? 0) > 0, 'a server needs a package or a remote');
export type RegistryServer = z.infer<typeof RegistryServerSchema>;

/** The whole file: ids are unique. */
export const RegistrySchema = z.array(RegistryServerSchema).superRefine((servers, ctx) => {
  const seen = new Set<string>();
  servers.forEach((s, i) => {
    if (seen.has(s.id)) ctx.addIssue({ code: 'custom', path: [i, 'id'], message: `duplicate server id "${s.id}"` });
    seen.add(s.id);
  });
});

/** Parses and validates registry text; throws naming `source` and each field at fault. */
export function parseRegistry(text: string, source: string): RegistryServer[] {
  const result = RegistrySchema.safeParse(JSON.parse(text));
  if (!result.success) {
    const issues = issuesText(result.error.issues);
    throw new Error(`${source} is invalid: ${issues}`);
  }
  return result.data;
}

/** The curated servers, read and validated from registry.json. */
export function loadRegistry(file: string = REGISTRY_FILE): RegistryServer[] {
  return parseRegistry(readFileSync(file, 'utf8'), file);
}
