import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { ProviderTypeSchema, type Provider, type ProviderType } from '../wire/config.js';

/**
 * catalog.json describes every provider type as data (mason-registry style): its wire protocol,
 * default base URL, auth header, model list path and quota API. The adapters are generic code
 * that read it; adding a vendor is a data change.
 */

/** From server/src/providers (tsx, vitest) and server/dist/providers (compiled) alike, the file in the source tree. */
const CATALOG_FILE = fileURLToPath(new URL('../../src/providers/catalog.json', import.meta.url));

/** The two wire protocols Atelier speaks. */
export const WireProtocolSchema = z.enum(['openai', 'anthropic']);
export type WireProtocol = z.infer<typeof WireProtocolSchema>;

/** How the key travels: `Authorization: Bearer <key>`, `x-api-key: <key>`, or `Authorization: <key>` (no scheme). */
export const AuthStyleSchema = z.enum(['bearer', 'x-api-key', 'raw']);
export type AuthStyle = z.infer<typeof AuthStyleSchema>;

const HeadersSchema = z.record(z.string().regex(/^[a-z0-9-]+$/), z.string());

/** A vendor's other endpoint, chosen when the configured base URL's path ends with `path_suffix`. */
const VariantSchema = z.strictObject({
  path_suffix: z.string().startsWith('/'),
  protocol: WireProtocolSchema,
  auth: AuthStyleSchema,
  headers: HeadersSchema.optional(),
  base_url_example: z.url(),
});

/** Parsers for the quota APIs; each vendor answers in its own shape (see quota.ts). */
export const QuotaReaderSchema = z.enum(['minimax_remains', 'zai_quota_limit', 'openrouter_key']);
export type QuotaReader = z.infer<typeof QuotaReaderSchema>;

const QuotaSpecSchema = z.strictObject({
  reader: QuotaReaderSchema,
  /** `{origin}` is scheme://host[:port] of the provider's base URL, `{base}` the base URL itself. */
  url: z.string().regex(/^\{(origin|base)\}\//, 'must start with {origin}/ or {base}/'),
  auth: AuthStyleSchema,
  docs_url: z.url(),
});
export type QuotaSpec = z.infer<typeof QuotaSpecSchema>;

/** One entry of catalog.json. */
export const CatalogEntrySchema = z.strictObject({
  type: ProviderTypeSchema,
  label: z.string().min(1),
  protocol: WireProtocolSchema,
  base_url: z.url({ protocol: /^https?$/ }),
  auth: AuthStyleSchema,
  headers: HeadersSchema.optional(),
  /** False when the server ignores keys (a local Ollama): no auth header is sent without one. */
  key_required: z.boolean(),
  /** GET path (under the base URL) listing models, used by validate. */
  models_path: z.string().startsWith('/'),
  /** OpenAI protocol: the field that caps output (newer OpenAI models refuse `max_tokens`). */
  max_tokens_field: z.enum(['max_tokens', 'max_completion_tokens']).optional(),
  /** Extra JSON fields merged into every chat request body of this vendor. */
  request_extras: z.record(z.string(), z.unknown()).optional(),
  /** The vendor's models may inline reasoning as `<think>…</think>` in the content. */
  think_tags: z.boolean().optional(),
  variants: z.array(VariantSchema).optional(),
  /** null: the vendor documents no quota API, so GET /api/providers/quota answers `supported:false`. */
  quota: QuotaSpecSchema.nullable(),
  docs_url: z.url(),
  notes: z.string().optional(),
});
export type CatalogEntry = z.infer<typeof CatalogEntrySchema>;

/** The whole file: exactly one entry per provider type. */
export const CatalogSchema = z.array(CatalogEntrySchema).superRefine((entries, ctx) => {
  const seen = new Set<string>();
  entries.forEach((e, i) => {
    if (seen.has(e.type)) ctx.addIssue({ code: 'custom', path: [i, 'type'], message: `duplicate type "${e.type}"` });
    seen.add(e.type);
  });
  for (const type of ProviderTypeSchema.options) {
    if (!seen.has(type)) ctx.addIssue({ code: 'custom', path: [], message: `no entry for provider type "${type}"` });
  }
});

/** Validates parsed JSON into a catalog keyed by type; throws naming `source` and each field at fault. */
export function parseProviderCatalog(json: unknown, source: string): ReadonlyMap<ProviderType, CatalogEntry> {
  const result = CatalogSchema.safeParse(json);
  if (!result.success) {
    const issues = result.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new Error(`Invalid provider catalog ${source}: ${issues}`);
  }
  return new Map(result.data.map((e) => [e.type, e]));
}

let cached: ReadonlyMap<ProviderType, CatalogEntry> | undefined;

/** The provider catalog, read and validated once. A broken catalog is a bug shipped with the code: it throws. */
export function providerCatalog(): ReadonlyMap<ProviderType, CatalogEntry> {
  if (!cached) {
    let json: unknown;
    try {
      json = JSON.parse(readFileSync(CATALOG_FILE, 'utf8'));
    } catch (err) {
      throw new Error(`Cannot read provider catalog ${CATALOG_FILE}: ${(err as Error).message}`);
    }
    cached = parseProviderCatalog(json, CATALOG_FILE);
  }
  return cached;
}

/** The catalog entry of a provider type. */
export function catalogEntry(type: ProviderType): CatalogEntry {
  const entry = providerCatalog().get(type);
  if (!entry) throw new Error(`Provider catalog has no entry for "${type}"`);
  return entry;
}

/** Where and how to reach one configured provider: protocol, base URL and auth resolved from the catalog. */
export interface Endpoint {
  protocol: WireProtocol;
  /** The configured base URL without trailing slashes. */
  base: string;
  auth: AuthStyle;
  headers: Record<string, string>;
  key: string;
  keyRequired: boolean;
  /** Vendor extras for the request body; a variant endpoint (e.g. /anthropic) gets none, they belong to the default protocol. */
  requestExtras: Record<string, unknown>;
  /** Split `<think>` tags out of the content (default protocol only). */
  thinkTags: boolean;
  entry: CatalogEntry;
}

/** Resolves a provider's endpoint: a base URL ending with a variant's suffix (e.g. `/anthropic`) selects that variant. */
export function endpointOf(provider: Pick<Provider, 'type' | 'base_url' | 'api_key'>): Endpoint {
  const entry = catalogEntry(provider.type);
  const base = provider.base_url.replace(/\/+$/, '');
  const path = new URL(base).pathname.replace(/\/+$/, '');
  const variant = entry.variants?.find((v) => path.endsWith(v.path_suffix));
  return {
    protocol: variant?.protocol ?? entry.protocol,
    base,
    auth: variant?.auth ?? entry.auth,
    headers: { ...(variant ? variant.headers : entry.headers) },
    key: provider.api_key,
    keyRequired: entry.key_required,
    requestExtras: variant ? {} : { ...entry.request_extras },
    thinkTags: !variant && entry.think_tags === true,
    entry,
  };
}

/** The header carrying `key` in the given style; none when there is no key. */
export function authHeaders(style: AuthStyle, key: string): Record<string, string> {
  if (!key) return {};
  switch (style) {
    case 'bearer':
      return { authorization: `Bearer ${key}` };
    case 'x-api-key':
      return { 'x-api-key': key };
    case 'raw':
      return { authorization: key };
  }
}
