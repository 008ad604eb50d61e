import os from 'node:os';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { DashboardStatus, ScanResult, SystemInfo, SystemMetrics, ToolStatus } from '../../server/src/wire/system.js';
import { startTestServer, tempDir, type TestServer } from '../helpers/server.js';

const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { name: string; version: string };

let server: TestServer;
beforeAll(async () => {
  server = await startTestServer();
});
afterAll(() => server.close());

const get = async <T>(path: string): Promise<T> => {
  const res = await server.fetch(path);
  expect(res.status, path).toBe(200);
  return (await res.json()) as T;
};
const post = (path: string) => server.fetch(path, { method: 'POST', body: '{}' });

/** The `data:` events of an SSE body, parsed. */
function sseEvents(text: string): Record<string, unknown>[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => JSON.parse(block.slice('data: '.length)));
}

describe('system API', () => {
  it('answers /api/health and /healthz without a token', async () => {
    for (const path of ['/api/health', '/healthz']) {
      const res = await fetch(`${server.url}${path}`);
      expect(res.status, path).toBe(200);
      expect(await res.json()).toEqual({ status: 'ok', version: pkg.version, uptime: expect.any(Number) });
    }
  });

  it('GET /api/info reports name, version and the sudo bypass flag of the profile', async () => {
    expect(await get('/api/info')).toMatchObject({ name: pkg.name, version: pkg.version, sudo_bypass: false });
    const res = await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ sudo_bypass: true }) });
    expect(res.status).toBe(200);
    expect(await get('/api/info')).toMatchObject({ sudo_bypass: true });
    await server.fetch('/api/config/profile', { method: 'PUT', body: JSON.stringify({ sudo_bypass: false }) });
  });

  it('GET /api/system describes this machine', async () => {
    const info = await get<SystemInfo>('/api/system');
    expect(info).toMatchObject({ os: process.platform, arch: process.arch, node: process.version, cpu_count: os.cpus().length, hostname: os.hostname() });
    expect(info.os_name).not.toBe('');
  });

  it('GET /api/system/metrics gives CPU per core, memory and network', async () => {
    const m = await get<SystemMetrics>('/api/system/metrics');
    expect(m.cpu.per_core).toHaveLength(os.cpus().length);
    expect(m.memory.total_bytes).toBe(os.totalmem());
    if (process.platform === 'linux') expect(m.network.rx_bytes_per_s).not.toBeNull();
  });

  it('GET /api/tools lists every catalog tool, git among the found ones', async () => {
    const tools = await get<ToolStatus[]>('/api/tools');
    expect(tools.length).toBeGreaterThanOrEqual(30);
    expect(tools.find((t) => t.id === 'git')).toMatchObject({ found: true, version: expect.stringMatching(/^\d+\.\d+/) });
  });

  it('GET /api/scan returns a completed scan', async () => {
    const scan = await get<ScanResult>('/api/scan');
    expect(Date.parse(scan.finished_at)).toBeGreaterThanOrEqual(Date.parse(scan.started_at));
    expect(scan.tools.find((t) => t.id === 'node')).toMatchObject({ found: true, version: process.version.slice(1) });
  });

  it('POST /api/scan rescans and answers the new scan as JSON', async () => {
    const before = await get<ScanResult>('/api/scan');
    const res = await post('/api/scan');
    expect(res.status).toBe(200);
    const scan = (await res.json()) as ScanResult;
    expect(Date.parse(scan.started_at)).toBeGreaterThan(Date.parse(before.started_at));
    expect(await get('/api/scan')).toEqual(scan);
  });

  it('POST /api/scan twice at once runs one scan that both requests share', async () => {
    const [a, b] = await Promise.all([post('/api/scan'), post('/api/scan')]);
    expect(await a.json()).toEqual(await b.json());
  });

  it('POST /api/scan?stream=true streams one progress event per tool, then the scan, then done', async () => {
    const res = await server.fetch('/api/scan?stream=true', { method: 'POST', body: '{}' });
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const events = sseEvents(await res.text());
    const progress = events.slice(0, -2).map((e) => (e as { progress: { done: number; total: number; tool: ToolStatus } }).progress);
    const { scan } = events.at(-2) as { scan: ScanResult };
    expect(progress.map((p) => p.done)).toEqual(scan.tools.map((_, i) => i + 1));
    expect(progress.every((p) => p.total === scan.tools.length)).toBe(true);
    expect(progress.map((p) => p.tool.id).sort()).toEqual(scan.tools.map((t) => t.id).sort());
    expect(events.at(-1)).toEqual({ done: 'true' });
  });

  it('refuses an unknown stream value with 400', async () => {
    const res = await server.fetch('/api/scan?stream=yes', { method: 'POST', body: '{}' });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('GET /api/dashboard/status gathers info, system, metrics and the last scan', async () => {
    const status = await get<DashboardStatus>('/api/dashboard/status');
    expect(status.info.name).toBe(pkg.name);
    expect(status.system.os).toBe(process.platform);
    expect(status.metrics.cpu.per_core).toHaveLength(os.cpus().length);
    expect(status.scan?.tools.length).toBeGreaterThanOrEqual(30);
    expect(typeof status.scanning).toBe('boolean');
  });
});

describe('system API on a fresh start', () => {
  it('GET /api/dashboard/status answers at once while the first scan runs', async () => {
    const fresh = await startTestServer({ scanToolsAtStart: true });
    try {
      const status = (await (await fresh.fetch('/api/dashboard/status')).json()) as DashboardStatus;
      expect(status).toMatchObject({ scan: null, scanning: true });
    } finally {
      await fresh.close();
    }
  });

  it('serves the scan persisted by the previous run right after a restart', async () => {
    const home = tempDir();
    try {
      const first = await startTestServer({ home: home.dir });
      const scan = (await (await first.fetch('/api/scan', { method: 'POST', body: '{}' })).json()) as ScanResult;
      await first.close();
      const second = await startTestServer({ home: home.dir });
      try {
        const status = (await (await second.fetch('/api/dashboard/status')).json()) as DashboardStatus;
        expect(status.scan).toEqual(scan);
      } finally {
        await second.close();
      }
    } finally {
      home.remove();
    }
  });
});
