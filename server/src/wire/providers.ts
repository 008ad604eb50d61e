/**
 * Provider shapes shared by server and studio: validate, verify, quota and consumption.
 * The zod schemas validate requests and document responses; the types are inferred from them.
 */
import { z } from 'zod';
import { CONSUMPTION_MAX_BUCKETS } from '../limits.js';
import { ProviderIdSchema, ProviderTypeSchema } from './config.js';

/**
 * Body of POST /api/providers/validate: a saved provider (`provider_id`), a provider being
 * edited (`provider_id` plus the changed fields; api_key "***" keeps the stored key), or an
 * unsaved one (`type` and `base_url`, plus `api_key` and `model`).
 */
export const ValidateRequestSchema = z
  .strictObject({
    provider_id: ProviderIdSchema.optional(),
    type: ProviderTypeSchema.optional(),
    base_url: z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).optional(),
    api_key: z.string().max(4096).optional(),
    model: z.string().max(200).optional(),
  })
  .refine((b) => b.provider_id !== undefined || (b.type !== undefined && b.base_url !== undefined), {
    message: 'give provider_id, or type and base_url',
  });
export type ValidateRequest = z.infer<typeof ValidateRequestSchema>;

/** Answer of POST /api/providers/validate. A refused key is `ok:false`, not an HTTP error. */
export const ValidateResultSchema = z.object({
  ok: z.boolean(),
  latency_ms: z.number(),
  /** Models the provider lists, when its protocol offers a list. */
  models: z.array(z.string()).optional(),
  error: z.string().optional(),
  /** Error code (PROVIDER_UNAUTHORIZED, PROVIDER_TIMEOUT, …) when not ok. */
  code: z.string().optional(),
});
export type ValidateResult = z.infer<typeof ValidateResultSchema>;

/** Body of POST /api/providers/{id}/verify: the model to probe (default: the provider's model). */
export const VerifyRequestSchema = z.strictObject({ model: z.string().min(1).max(200).optional() });

/** One probe of a verify run. */
export const ProbeResultSchema = z.object({
  ok: z.boolean(),
  latency_ms: z.number(),
  /** What was observed (the answer, the tool call, chunk count and time to first token) or the error. */
  detail: z.string(),
  code: z.string().optional(),
});
export type ProbeResult = z.infer<typeof ProbeResultSchema>;

/** Answer of POST /api/providers/{id}/verify. */
export const VerifyResultSchema = z.object({
  provider_id: z.string(),
  model: z.string(),
  ok: z.boolean(),
  probes: z.object({ text: ProbeResultSchema, tool_call: ProbeResultSchema, streaming: ProbeResultSchema }),
});
export type VerifyResult = z.infer<typeof VerifyResultSchema>;

/** What a quota counts. */
export const QuotaUnitSchema = z.enum(['requests', 'tokens', 'percent', 'usd', 'calls']);
export type QuotaUnit = z.infer<typeof QuotaUnitSchema>;

/** One window of a vendor's quota (e.g. MiniMax's 5-hour and weekly windows). */
export const QuotaWindowSchema = z.object({
  name: z.string(),
  unit: QuotaUnitSchema,
  remaining: z.number().optional(),
  limit: z.number().optional(),
  used_percent: z.number().optional(),
  /** ISO time of the next reset, when the vendor says. */
  reset_at: z.string().optional(),
});
export type QuotaWindow = z.infer<typeof QuotaWindowSchema>;

/** One provider's line of GET /api/providers/quota; the top-level numbers repeat the first window. */
export const QuotaEntrySchema = z.object({
  provider_id: z.string(),
  type: ProviderTypeSchema,
  /** False when the vendor documents no quota API ("unsupported"). */
  supported: z.boolean(),
  remaining: z.number().optional(),
  limit: z.number().optional(),
  unit: QuotaUnitSchema.optional(),
  used_percent: z.number().optional(),
  reset_at: z.string().optional(),
  windows: z.array(QuotaWindowSchema).optional(),
  error: z.string().optional(),
  code: z.string().optional(),
});
export type QuotaEntry = z.infer<typeof QuotaEntrySchema>;

/** Query of GET /api/providers/quota. */
export const QuotaQuerySchema = z.strictObject({ provider_id: ProviderIdSchema.optional() });

export const ConsumptionPeriodSchema = z.enum(['day', 'week', 'month']);
export type ConsumptionPeriod = z.infer<typeof ConsumptionPeriodSchema>;

/** Query of GET /api/providers/consumption. */
export const ConsumptionQuerySchema = z.strictObject({
  period: ConsumptionPeriodSchema.default('day'),
  /** How many buckets back from now (the current one included); default per period. */
  buckets: z.coerce.number().int().min(1).max(CONSUMPTION_MAX_BUCKETS).optional(),
});

/** Tokens of one provider/model over some span. */
export const ConsumptionRowSchema = z.object({
  provider_id: z.string(),
  model: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  calls: z.number(),
});
export type ConsumptionRow = z.infer<typeof ConsumptionRowSchema>;

/** One day, week (starting Monday) or month, in UTC; empty buckets are included so a chart has no gaps. */
export const ConsumptionBucketSchema = z.object({
  /** YYYY-MM-DD, the first day of the bucket (UTC). */
  start: z.string(),
  input_tokens: z.number(),
  output_tokens: z.number(),
  total_tokens: z.number(),
  calls: z.number(),
  by_model: z.array(ConsumptionRowSchema),
});
export type ConsumptionBucket = z.infer<typeof ConsumptionBucketSchema>;

/** Answer of GET /api/providers/consumption. */
export const ConsumptionSchema = z.object({
  period: ConsumptionPeriodSchema,
  /** All-time totals per provider/model, largest first. */
  totals: z.array(ConsumptionRowSchema),
  /** Oldest first, the current bucket last. */
  buckets: z.array(ConsumptionBucketSchema),
});
export type Consumption = z.infer<typeof ConsumptionSchema>;

/** One entry of GET /api/providers/catalog: what the settings form offers for each provider type. */
export const ProviderKindInfoSchema = z.object({
  type: ProviderTypeSchema,
  label: z.string(),
  /** The usual endpoint; prefilled in the form. */
  base_url: z.string(),
  protocol: z.enum(['openai', 'anthropic']),
  key_required: z.boolean(),
  docs_url: z.string(),
  /** True when Atelier can read this vendor's quota. */
  quota: z.boolean(),
});
export type ProviderKindInfo = z.infer<typeof ProviderKindInfoSchema>;
