import { homedir } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TokenBucket } from '../../server/src/http/rate-limit.js';
import { TOOL_ROUTE_RATE_LIMIT } from '../../server/src/limits.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

describe('TokenBucket', () => {
  it('grants its capacity at once, then refills evenly', () => {
    const bucket = new TokenBucket(3, 3000);
    const t0 = Date.now();
    expect([bucket.take(t0), bucket.take(t0), bucket.take(t0)]).toEqual([0, 0, 0]);
    expect(bucket.take(t0)).toBe(1); // one token per second: wait 1 s
    expect(bucket.take(t0 + 1000)).toBe(0);
    expect(bucket.take(t0 + 1000)).toBeGreaterThan(0);
  });
});

describe('per-route rate limit', () => {
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer();
  });
  afterAll(() => server.close());

  it('answers 429 RATE_LIMITED with Retry-After once a tool-running route is over its budget', async () => {
    const call = () => server.fetch('/api/tool/call', { method: 'POST', body: JSON.stringify({ name: 'list_dir', args: { path: homedir() } }) });
    let refused: Response | undefined;
    for (let i = 0; i < TOOL_ROUTE_RATE_LIMIT.requests + 20 && !refused; i++) {
      const res = await call();
      if (res.status === 429) refused = res;
      else expect(res.status).toBe(200);
    }
    expect(refused).toBeDefined();
    expect(Number(refused!.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect(await refused!.json()).toMatchObject({ code: 'RATE_LIMITED' });
    // Other routes keep their own budget.
    expect((await server.fetch('/api/tools/list')).status).toBe(200);
  });
});
