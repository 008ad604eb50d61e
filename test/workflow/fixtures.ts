import { expect } from 'vitest';
import type { TestServer } from '../helpers/server.js';
import { readSse } from '../helpers/sse.js';

/** A JSON request to the test server; the parsed answer with its status. */
export async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any }> {
  const res = await server.fetch(path, { method, ...(body !== undefined ? { body: JSON.stringify(body) } : method === 'GET' ? {} : { body: '{}' }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined };
}

/** Creates a workflow and returns it. */
export async function createWorkflow(server: TestServer, steps: unknown[], title = 'test workflow'): Promise<any> {
  const { status, json } = await call(server, 'POST', '/api/workflow', { title, goal: 'test', steps });
  expect(status, JSON.stringify(json)).toBe(200);
  return json;
}

/** Runs (or continues) with ?stream=true and reads every event up to done. */
export async function streamed(server: TestServer, path: string, body: unknown = {}): Promise<any[]> {
  const res = await server.fetch(`${path}?stream=true`, { method: 'POST', body: JSON.stringify(body) });
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/text\/event-stream/);
  return readSse(res);
}

/** The output chunks of one step, joined. */
export function outputOf(events: any[], stepId: string): string {
  return events
    .filter((e) => e.output?.step_id === stepId)
    .map((e) => e.output.chunk)
    .join('');
}

/** The statuses a step went through, in order. */
export function statusesOf(events: any[], stepId: string): string[] {
  return events.filter((e) => e.step?.id === stepId).map((e) => e.step.status);
}
