import type Database from 'better-sqlite3';
import type { Migration } from '../db/database.js';
import { CONSUMPTION_DEFAULT_BUCKETS } from '../limits.js';
import type { Consumption, ConsumptionBucket, ConsumptionPeriod, ConsumptionRow } from '../wire/providers.js';

/** One row per model call. No foreign key to the config: a deleted provider's history stays counted. */
export const providersMigrations: readonly Migration[] = [
  {
    id: '020_providers_usage',
    up: (db) => {
      db.exec(`
        CREATE TABLE provider_usage (
          id INTEGER PRIMARY KEY,
          provider_id TEXT NOT NULL,
          model TEXT NOT NULL,
          input_tokens INTEGER NOT NULL CHECK (input_tokens >= 0),
          output_tokens INTEGER NOT NULL CHECK (output_tokens >= 0),
          created_at TEXT NOT NULL
        );
        CREATE INDEX provider_usage_created_at ON provider_usage (created_at);
      `);
    },
  },
];

/** The tokens of one call. */
export interface UsageRecord {
  provider_id: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  /** When the call happened; now by default. */
  at?: Date;
}

const inserts = new WeakMap<Database.Database, Database.Statement>();

/** Records the tokens of one model call (call it once per turn, with the `usage` event's numbers). */
export function recordUsage(db: Database.Database, record: UsageRecord): void {
  let insert = inserts.get(db);
  if (!insert) {
    insert = db.prepare('INSERT INTO provider_usage (provider_id, model, input_tokens, output_tokens, created_at) VALUES (?, ?, ?, ?, ?)');
    inserts.set(db, insert);
  }
  const tokens = (n: number) => (Number.isFinite(n) && n > 0 ? Math.round(n) : 0);
  insert.run(record.provider_id, record.model, tokens(record.input_tokens), tokens(record.output_tokens), (record.at ?? new Date()).toISOString());
}

/** SQL giving a row's bucket start (YYYY-MM-DD, UTC); weeks start on Monday ('weekday 0' is the next Sunday, six days later). */
const BUCKET_SQL: Record<ConsumptionPeriod, string> = {
  day: 'substr(created_at, 1, 10)',
  week: "date(created_at, 'weekday 0', '-6 days')",
  month: "substr(created_at, 1, 7) || '-01'",
};

const ymd = (d: Date) => d.toISOString().slice(0, 10);

/** The start of the bucket holding `now`, and of the `n - 1` before it, oldest first. */
export function bucketStarts(period: ConsumptionPeriod, n: number, now: Date): string[] {
  const day = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate()));
  const starts: string[] = [];
  for (let i = n - 1; i >= 0; i--) {
    if (period === 'day') starts.push(ymd(new Date(day.getTime() - i * 86_400_000)));
    else if (period === 'week') {
      const monday = day.getTime() - ((day.getUTCDay() + 6) % 7) * 86_400_000;
      starts.push(ymd(new Date(monday - i * 7 * 86_400_000)));
    } else starts.push(ymd(new Date(Date.UTC(day.getUTCFullYear(), day.getUTCMonth() - i, 1))));
  }
  return starts;
}

interface SumRow {
  provider_id: string;
  model: string;
  input_tokens: number;
  output_tokens: number;
  calls: number;
}

const row = (r: SumRow): ConsumptionRow => ({ ...r, total_tokens: r.input_tokens + r.output_tokens });
const byTotal = (a: ConsumptionRow, b: ConsumptionRow) => b.total_tokens - a.total_tokens || a.provider_id.localeCompare(b.provider_id) || a.model.localeCompare(b.model);

/** All-time totals per provider/model, plus the last `buckets` days, weeks or months (UTC), empty ones included. */
export function consumption(db: Database.Database, period: ConsumptionPeriod, buckets: number = CONSUMPTION_DEFAULT_BUCKETS[period], now = new Date()): Consumption {
  const sums = 'SUM(input_tokens) AS input_tokens, SUM(output_tokens) AS output_tokens, COUNT(*) AS calls';
  const totals = (db.prepare(`SELECT provider_id, model, ${sums} FROM provider_usage GROUP BY provider_id, model`).all() as SumRow[]).map(row).sort(byTotal);

  const starts = bucketStarts(period, buckets, now);
  const rows = db
    .prepare(`SELECT ${BUCKET_SQL[period]} AS start, provider_id, model, ${sums} FROM provider_usage WHERE created_at >= ? GROUP BY start, provider_id, model`)
    .all(`${starts[0]}T00:00:00.000Z`) as (SumRow & { start: string })[];
  const index = new Map<string, ConsumptionBucket>(
    starts.map((start) => [start, { start, input_tokens: 0, output_tokens: 0, total_tokens: 0, calls: 0, by_model: [] }]),
  );
  for (const { start, ...sum } of rows) {
    const bucket = index.get(start);
    if (!bucket) continue; // a row stamped in the future (clock change) belongs to no shown bucket
    bucket.input_tokens += sum.input_tokens;
    bucket.output_tokens += sum.output_tokens;
    bucket.total_tokens += sum.input_tokens + sum.output_tokens;
    bucket.calls += sum.calls;
    bucket.by_model.push(row(sum));
  }
  for (const bucket of index.values()) bucket.by_model.sort(byTotal);
  return { period, totals, buckets: [...index.values()] };
}
