// A step's output past the tool's cap or the live buffer: the exit line still ends what
// streamed and what was stored (issue 19).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { LiveOutput, unstreamed } from '../../server/src/workflow/live-output.js';
import { call, createWorkflow, outputOf, streamed } from './fixtures.js';

let server: TestServer;

beforeAll(async () => {
  server = await startTestServer();
  expect((await server.fetch('/api/permissions', { method: 'PUT', body: JSON.stringify({ mode: 'trusted' }) })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
});

/** Runs a one-step shell workflow and returns what streamed and what the server stored. */
async function runShell(command: string): Promise<{ live: string; stored: any }> {
  const wf = await createWorkflow(server, [{ title: 'big', kind: 'shell', command }]);
  const events = await streamed(server, `/api/workflow/execute/${wf.id}`);
  const { json } = await call(server, 'GET', `/api/workflow/${wf.id}`);
  return { live: outputOf(events, 's1'), stored: json.steps[0] };
}

describe('a step with more output than is kept', () => {
  it('streams and stores the exit line after more than a million characters on one line', async () => {
    const { live, stored } = await runShell("head -c 1500000 /dev/zero | tr '\\0' x");
    expect(live.length).toBeGreaterThan(1_500_000);
    expect(live.startsWith('x'.repeat(1_500_000))).toBe(true);
    expect(live).toMatch(/\n\[exit code 0\]$/);
    expect(live).toContain('the middle was cut');
    expect(stored).toMatchObject({ status: 'done', exit_code: 0 });
    expect(stored.output).toMatch(/\n\[exit code 0\]$/);
  }, 60_000);

  it('streams and stores the exit line when the cap cut the output and its last line has no newline', async () => {
    const { live, stored } = await runShell('yes abcdefghij | head -c 300008; exit 3');
    expect(live.startsWith('abcdefghij\n'.repeat(27_000))).toBe(true);
    expect(live).toMatch(/\nabcde\n\[output was [^\n]*\]\n\[exit code 3\]$/);
    expect(stored).toMatchObject({ status: 'failed', exit_code: 3 });
    expect(stored.output).toMatch(/\nabcde\n\[output was [^\n]*\]\n\[exit code 3\]$/);
    expect(stored.output.length).toBeLessThan(live.length);
  }, 60_000);

  it('streams the exit line of a short step once, after its output', async () => {
    const { live, stored } = await runShell('printf "a\\nb"; exit 2');
    expect(live).toBe('a\nb\n[exit code 2]');
    expect(stored.output).toBe('a\nb\n[exit code 2]');
  });
});

describe('the live output buffer', () => {
  it('keeps the last characters that streamed, whatever the chunk sizes, and says when it let the start go', () => {
    const live = new LiveOutput(10);
    live.append('abc');
    live.append('defg');
    expect(live.text()).toBe('abcdefg');
    expect(live.truncated).toBe(false);
    for (let i = 0; i < 5000; i++) live.append(String(i % 10));
    live.append('XYZ');
    expect(live.text()).toBe('3456789XYZ');
    expect(live.truncated).toBe(true);
  });

  it('finds what the final output adds after the streamed end, even when the start was cut', () => {
    const live = new LiveOutput(10);
    live.append('0123456789abcdef');
    expect(unstreamed(live, '0123[… 8 B of output omitted …]\nabcdef\n[exit code 1]')).toBe('\n[exit code 1]');
    const short = new LiveOutput(100);
    short.append('hi\n');
    expect(unstreamed(short, 'hi\n[exit code 0]')).toBe('[exit code 0]');
    expect(unstreamed(short, 'something else entirely\n[exit code 4]')).toBe('[exit code 4]');
  });
});
