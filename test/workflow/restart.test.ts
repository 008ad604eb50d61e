// Workflows survive a restart of the server on the same ATELIER_HOME: a step awaiting approval
// still waits and can be approved; a step that was running is marked failed as interrupted.
import { afterAll, describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { call, createWorkflow, outputOf, streamed } from './fixtures.js';

const home = tempDir();
afterAll(() => home.remove());

describe('across a restart', () => {
  it('a waiting step still waits, and approving it finishes the run', async () => {
    const first = await startTestServer({ home: home.dir });
    const wf = await createWorkflow(first, [
      { title: 'before', kind: 'shell', command: 'echo before-restart' },
      { title: 'gated', kind: 'shell', command: 'echo gated-after-restart', requires_approval: true },
    ]);
    expect((await call(first, 'POST', `/api/workflow/execute/${wf.id}`)).json.status).toBe('awaiting_approval');
    await first.close();

    const second = await startTestServer({ home: home.dir });
    try {
      const waiting = (await call(second, 'GET', `/api/workflow/${wf.id}`)).json;
      expect(waiting.status).toBe('awaiting_approval');
      expect(waiting.steps.map((s: any) => s.status)).toEqual(['done', 'awaiting_approval']);
      expect(waiting.steps[0].output).toContain('before-restart');
      const events = await streamed(second, `/api/workflow/approve/${wf.id}`, { approve: true, note: 'after restart' });
      expect(outputOf(events, 's2')).toContain('gated-after-restart');
      const done = (await call(second, 'GET', `/api/workflow/${wf.id}`)).json;
      expect(done).toMatchObject({ status: 'done', runs: [expect.objectContaining({ status: 'done', finished_at: expect.any(String) })] });
    } finally {
      await second.close();
    }
  });

  it('a step running at shutdown is marked failed as interrupted; its output so far is kept', async () => {
    const first = await startTestServer({ home: home.dir });
    const wf = await createWorkflow(first, [
      { title: 'long', kind: 'shell', command: 'echo partial-output; sleep 30' },
      { title: 'later', kind: 'shell', command: 'echo never' },
    ]);
    const run = first.fetch(`/api/workflow/execute/${wf.id}?stream=true`, { method: 'POST', body: '{}' });
    await (await run).body!.getReader().read();
    // Wait until the output has been flushed to the database, then stop the server mid-step.
    for (let i = 0; i < 50; i++) {
      const step = (await call(first, 'GET', `/api/workflow/${wf.id}`)).json.steps[0];
      if (step.status === 'running' && step.output.includes('partial-output')) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    await first.close();

    const second = await startTestServer({ home: home.dir });
    try {
      const after = (await call(second, 'GET', `/api/workflow/${wf.id}`)).json;
      expect(after.status).toBe('failed');
      expect(after.error).toMatch(/interrupted/i);
      expect(after.steps[0].status).toBe('failed');
      expect(after.steps[0].output).toMatch(/partial-output\n\[interrupted: the server stopped while this step ran\]$/);
      expect(after.steps[1].status).toBe('skipped');
      expect(after.runs[0]).toMatchObject({ status: 'failed', finished_at: expect.any(String) });
      // It can be run again (the server's shutdown below stops that run).
      const again = await second.fetch(`/api/workflow/execute/${wf.id}?stream=true`, { method: 'POST', body: '{}' });
      expect(again.status).toBe(200);
      void again.body?.cancel();
    } finally {
      await second.close();
    }
  }, 60_000);
});
