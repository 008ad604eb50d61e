import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { migrate } from '../../server/src/db/database.js';
import { bucketStarts, consumption, providersMigrations, recordUsage } from '../../server/src/providers/usage.js';

let db: Database.Database;
beforeEach(() => {
  db = new Database(':memory:');
  migrate(db, providersMigrations);
});
afterEach(() => db.close());

const at = (iso: string) => new Date(iso);
// Wednesday 2025-01-15, midday UTC.
const NOW = at('2025-01-15T12:00:00.000Z');

describe('token consumption', () => {
  it('totals tokens and calls per provider and model, all time, largest first', () => {
    recordUsage(db, { provider_id: 'a', model: 'small', input_tokens: 10, output_tokens: 5, at: at('2020-01-01T00:00:00Z') });
    recordUsage(db, { provider_id: 'a', model: 'small', input_tokens: 1, output_tokens: 1 });
    recordUsage(db, { provider_id: 'b', model: 'big', input_tokens: 100, output_tokens: 50 });
    expect(consumption(db, 'day', 3, NOW).totals).toEqual([
      { provider_id: 'b', model: 'big', input_tokens: 100, output_tokens: 50, total_tokens: 150, calls: 1 },
      { provider_id: 'a', model: 'small', input_tokens: 11, output_tokens: 6, total_tokens: 17, calls: 2 },
    ]);
  });

  it('stores negative or fractional counts as whole non-negative numbers', () => {
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: -5, output_tokens: 2.6, at: NOW });
    expect(consumption(db, 'day', 1, NOW).totals[0]).toMatchObject({ input_tokens: 0, output_tokens: 3 });
  });

  it('fills the last N days, oldest first, empty days included', () => {
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 3, output_tokens: 4, at: at('2025-01-14T23:59:59.999Z') });
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 1, output_tokens: 1, at: at('2025-01-15T00:00:00.000Z') });
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 9, output_tokens: 9, at: at('2025-01-12T10:00:00.000Z') }); // before the window
    const { buckets } = consumption(db, 'day', 3, NOW);
    expect(buckets.map((b) => [b.start, b.total_tokens, b.calls])).toEqual([
      ['2025-01-13', 0, 0],
      ['2025-01-14', 7, 1],
      ['2025-01-15', 2, 1],
    ]);
    expect(buckets[1]!.by_model).toEqual([{ provider_id: 'a', model: 'm', input_tokens: 3, output_tokens: 4, total_tokens: 7, calls: 1 }]);
  });

  it('starts weeks on Monday (UTC): a Sunday belongs to the week before', () => {
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 1, output_tokens: 0, at: at('2025-01-12T23:00:00Z') }); // Sunday
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 2, output_tokens: 0, at: at('2025-01-13T01:00:00Z') }); // Monday
    const { buckets } = consumption(db, 'week', 2, NOW);
    expect(buckets.map((b) => [b.start, b.input_tokens])).toEqual([
      ['2025-01-06', 1],
      ['2025-01-13', 2],
    ]);
  });

  it('groups months by calendar month, across a year boundary', () => {
    recordUsage(db, { provider_id: 'a', model: 'm', input_tokens: 5, output_tokens: 0, at: at('2024-12-31T23:00:00Z') });
    recordUsage(db, { provider_id: 'b', model: 'n', input_tokens: 7, output_tokens: 0, at: at('2025-01-01T00:30:00Z') });
    const { buckets } = consumption(db, 'month', 3, NOW);
    expect(buckets.map((b) => [b.start, b.input_tokens])).toEqual([
      ['2024-11-01', 0],
      ['2024-12-01', 5],
      ['2025-01-01', 7],
    ]);
  });

  it('computes bucket starts for the month end and leap days', () => {
    expect(bucketStarts('month', 2, at('2024-03-31T12:00:00Z'))).toEqual(['2024-02-01', '2024-03-01']);
    expect(bucketStarts('day', 2, at('2024-03-01T00:00:00Z'))).toEqual(['2024-02-29', '2024-03-01']);
    expect(bucketStarts('week', 1, at('2025-01-19T23:59:00Z'))).toEqual(['2025-01-13']);
  });
});
