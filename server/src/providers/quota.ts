import { AppError } from '../http/errors.js';
import { PROVIDER_PROBE_TIMEOUT_MS } from '../limits.js';
import type { Provider } from '../wire/config.js';
import type { QuotaEntry, QuotaWindow } from '../wire/providers.js';
import { authHeaders, catalogEntry, type QuotaReader } from './catalog.js';
import { errorContext } from './chat.js';
import { badStream, unauthorized, upstreamError, type ErrorContext } from './errors.js';
import { requestJson } from './http.js';

/**
 * Quotas as each vendor's own API reports them. Which API a type has is data (catalog.json
 * `quota`); how to read its answer is one small parser per vendor dialect, below.
 */

type Json = Record<string, any>;

/** An epoch (seconds or milliseconds, number or digits) or a date string → ISO; undefined when absent or unreadable. */
function isoTime(value: unknown): string | undefined {
  if (typeof value === 'string' && /^\d+$/.test(value)) value = Number(value);
  if (typeof value === 'number' && Number.isFinite(value) && value > 0) return new Date(value < 1e11 ? value * 1000 : value).toISOString();
  if (typeof value === 'string' && value) {
    const t = Date.parse(value);
    return Number.isNaN(t) ? undefined : new Date(t).toISOString();
  }
  return undefined;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined);
const round = (n: number) => Math.round(n * 100) / 100;

/** A window from a count pair, or from a remaining percentage when the vendor gives only that. */
function countWindow(name: string, unit: QuotaWindow['unit'], limit: number | undefined, remaining: number | undefined, remainingPercent: number | undefined, resetAt: string | undefined): QuotaWindow | undefined {
  const reset = resetAt === undefined ? {} : { reset_at: resetAt };
  if (limit !== undefined && limit > 0 && remaining !== undefined) {
    return { name, unit, limit, remaining, used_percent: round(((limit - remaining) / limit) * 100), ...reset };
  }
  if (remainingPercent !== undefined) return { name, unit: 'percent', limit: 100, remaining: remainingPercent, used_percent: round(100 - remainingPercent), ...reset };
  return undefined;
}

/**
 * MiniMax `GET /v1/api/openplatform/coding_plan/remains`: `model_remains[]` per model family,
 * where `current_interval_usage_count` is what REMAINS of `current_interval_total_count` in the
 * rolling 5-hour window (newer plans send `*_remaining_percent` instead), plus a weekly window.
 */
function minimaxRemains(json: Json, ctx: ErrorContext): QuotaWindow[] {
  const status = num(json.base_resp?.status_code);
  if (status !== undefined && status !== 0) {
    const msg = `${String(json.base_resp?.status_msg ?? 'error')} (status ${status})`;
    // 1004: authentication failed; 2049: invalid API key (MiniMax error codes).
    throw status === 1004 || status === 2049 ? unauthorized(ctx, 401, msg) : upstreamError(ctx, undefined, msg);
  }
  if (!Array.isArray(json.model_remains)) throw badStream(ctx, 'the quota answer has no model_remains');
  const models = json.model_remains as Json[];
  // The text models carry the plan's main quota; other entries (speech, video, image) follow.
  const rank = (m: Json) => (/^(minimax-m|general)/i.test(String(m.model_name ?? '')) ? 0 : 1);
  const windows: QuotaWindow[] = [];
  for (const m of [...models].sort((a, b) => rank(a) - rank(b))) {
    const name = String(m.model_name ?? 'model');
    const interval = countWindow(`${name} (5 h)`, 'requests', num(m.current_interval_total_count), num(m.current_interval_usage_count), num(m.current_interval_remaining_percent), isoTime(m.end_time));
    const weekly = countWindow(`${name} (week)`, 'requests', num(m.current_weekly_total_count), num(m.current_weekly_usage_count), num(m.current_weekly_remaining_percent), isoTime(m.weekly_end_time));
    for (const w of [interval, weekly]) if (w) windows.push(w);
  }
  return windows;
}

/** Z.AI window names from `unit` (3 hours, 5 months, 6 weeks, as their plugin reads them) and `number`. */
function zaiWindowName(limit: Json): string {
  const n = num(limit.number);
  const unit = ({ 3: 'h', 5: ' month', 6: ' week' } as Record<number, string>)[num(limit.unit) ?? -1];
  const span = n !== undefined && unit ? ` (${n}${unit})` : '';
  return `${limit.type === 'TOKENS_LIMIT' ? 'tokens' : limit.type === 'TIME_LIMIT' ? 'tool calls' : String(limit.type ?? 'limit')}${span}`;
}

/**
 * Z.AI `GET /api/monitor/usage/quota/limit` (bare key in Authorization): `data.limits[]` with
 * `type` TOKENS_LIMIT (the 5-hour token window) or TIME_LIMIT (MCP tool calls), `percentage`
 * used, `usage` (the cap), `currentValue` (used), `remaining`, and `nextResetTime` in ms.
 */
function zaiQuotaLimit(json: Json, ctx: ErrorContext): QuotaWindow[] {
  const code = num(json.code);
  if (json.success === false || (code !== undefined && code !== 200)) {
    const msg = `${String(json.msg ?? json.message ?? 'error')}${code === undefined ? '' : ` (code ${code})`}`;
    throw code === 401 || code === 1000 || code === 1001 ? unauthorized(ctx, 401, msg) : upstreamError(ctx, undefined, msg);
  }
  if (!Array.isArray(json.data?.limits)) throw badStream(ctx, 'the quota answer has no data.limits');
  const limits = [...(json.data.limits as Json[])].sort((a, b) => Number(b.type === 'TOKENS_LIMIT') - Number(a.type === 'TOKENS_LIMIT'));
  return limits.flatMap((l): QuotaWindow[] => {
    const percent = num(l.percentage);
    const cap = num(l.usage);
    const remaining = num(l.remaining) ?? (cap !== undefined && num(l.currentValue) !== undefined ? cap - num(l.currentValue)! : undefined);
    const w = countWindow(zaiWindowName(l), l.type === 'TOKENS_LIMIT' ? 'tokens' : 'calls', cap, remaining, percent === undefined ? undefined : 100 - percent, isoTime(l.nextResetTime));
    return w ? [w] : [];
  });
}

/** OpenRouter `GET /api/v1/key`: the key's credit `limit` (null: unlimited), `limit_remaining` and `usage`, in USD. */
function openrouterKey(json: Json, ctx: ErrorContext): QuotaWindow[] {
  const data = json.data as Json | undefined;
  if (!data || typeof data !== 'object') throw badStream(ctx, 'the key answer has no data');
  const limit = num(data.limit);
  const remaining = num(data.limit_remaining);
  const usage = num(data.usage);
  const reset = typeof data.limit_reset === 'string' ? ` (resets ${data.limit_reset})` : '';
  return [
    {
      name: `credits${reset}`,
      unit: 'usd',
      ...(limit !== undefined && { limit }),
      ...(remaining !== undefined && { remaining }),
      ...(limit && usage !== undefined && { used_percent: round((usage / limit) * 100) }),
    },
  ];
}

const READERS: Record<QuotaReader, (json: Json, ctx: ErrorContext) => QuotaWindow[]> = {
  minimax_remains: minimaxRemains,
  zai_quota_limit: zaiQuotaLimit,
  openrouter_key: openrouterKey,
};

/** The quota of one provider. Never throws: a failure is reported in `error`/`code`, `supported:false` when the vendor has no quota API. */
export async function fetchQuota(provider: Provider, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<QuotaEntry> {
  const head = { provider_id: provider.id, type: provider.type };
  const spec = catalogEntry(provider.type).quota;
  if (!spec) return { ...head, supported: false };
  if (!provider.api_key) return { ...head, supported: true, error: 'No API key configured', code: 'PROVIDER_KEY_MISSING' };
  const base = provider.base_url.replace(/\/+$/, '');
  const url = spec.url.replace('{origin}', new URL(base).origin).replace('{base}', base);
  const ctx = errorContext(provider);
  const timeoutMs = opts.timeoutMs ?? PROVIDER_PROBE_TIMEOUT_MS;
  try {
    const json = await requestJson({ url, method: 'GET', headers: authHeaders(spec.auth, provider.api_key), signal: opts.signal, firstByteTimeoutMs: timeoutMs, stallTimeoutMs: timeoutMs, ctx });
    if (json === null || typeof json !== 'object') throw badStream(ctx, 'the quota answer is not a JSON object');
    const windows = READERS[spec.reader](json as Json, ctx);
    const [first] = windows;
    return {
      ...head,
      supported: true,
      ...(first && {
        unit: first.unit,
        ...(first.remaining !== undefined && { remaining: first.remaining }),
        ...(first.limit !== undefined && { limit: first.limit }),
        ...(first.used_percent !== undefined && { used_percent: first.used_percent }),
        ...(first.reset_at !== undefined && { reset_at: first.reset_at }),
      }),
      windows,
    };
  } catch (err) {
    const e = err instanceof AppError ? err : new AppError(500, 'INTERNAL', String(err));
    return { ...head, supported: true, error: e.message, code: e.code };
  }
}
