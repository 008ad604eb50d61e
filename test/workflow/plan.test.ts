// The planner against the provider stand-in (OpenAI and Anthropic wire formats): one tool,
// submit_plan; its arguments validated; one correction; 422 with nothing saved after two bad answers.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';
import { call, outputOf, streamed } from './fixtures.js';

let server: TestServer;
let openai: ProviderStandin;
let anthropic: ProviderStandin;

const GOOD_PLAN = {
  title: 'Check disk usage',
  steps: [
    { title: 'Measure', kind: 'shell', command: 'df -h /', requires_approval: false },
    { title: 'Clean the cache', kind: 'shell', command: 'rm -rf ~/.cache/thing' },
    { title: 'Explain', kind: 'prompt', prompt: 'Summarize the disk usage' },
  ],
};

beforeAll(async () => {
  server = await startTestServer();
  openai = await startProviderStandin({ apiKey: 'sk-openai', models: ['gpt-test'] });
  anthropic = await startProviderStandin({ apiKey: 'sk-anthropic' });
  const put = (body: unknown) => call(server, 'PUT', '/api/config/provider', body);
  expect((await put({ id: 'oai', name: 'OpenAI stand-in', type: 'openai', base_url: openai.openaiBase, api_key: 'sk-openai', model: 'gpt-test', models: ['gpt-test'] })).status).toBe(200);
  expect((await put({ id: 'ant', name: 'Anthropic stand-in', type: 'anthropic', base_url: anthropic.anthropicBase, api_key: 'sk-anthropic', model: 'claude-test' })).status).toBe(200);
  expect((await call(server, 'PUT', '/api/config/profile', { active_provider: 'oai', active_model: 'gpt-test' })).status).toBe(200);
});
afterAll(async () => {
  await server.close();
  await openai.close();
  await anthropic.close();
});

async function workflowCount(): Promise<number> {
  return (await call(server, 'GET', '/api/workflow/list')).json.workflows.length;
}

describe('POST /api/workflow/plan', () => {
  it('offers exactly one tool, submit_plan, and saves the validated plan as a draft', async () => {
    openai.script([{ tool_calls: [{ name: 'submit_plan', args: GOOD_PLAN }] }]);
    const { status, json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'free some disk space', context: 'a laptop' });
    expect(status, JSON.stringify(json)).toBe(200);
    const sent = openai.chatRequests().at(-1)!.body;
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(['submit_plan']);
    expect(sent.tools[0].function.parameters.properties.steps.items.properties.kind.enum).toEqual(['shell', 'tool', 'prompt', 'agent']);
    expect(sent.messages.at(-1).content).toContain('free some disk space');
    expect(json.attempts).toBe(1);
    expect(json.workflow).toMatchObject({ title: 'Check disk usage', goal: 'free some disk space', status: 'draft' });
    // The model left approval unset on the rm step: risky, so gated.
    expect(json.workflow.steps.map((s: any) => [s.kind, s.requires_approval])).toEqual([
      ['shell', false],
      ['shell', true],
      ['prompt', false],
    ]);
    expect(json.approval_waived).toEqual([]);
    expect((await call(server, 'GET', `/api/workflow/${json.workflow.id}`)).status).toBe(200);
  });

  it('names the risky steps whose approval the model turned off, for the user to accept', async () => {
    openai.script([{ tool_calls: [{ name: 'submit_plan', args: { title: 't', steps: [{ title: 'install', kind: 'shell', command: 'npm install -g left-pad', requires_approval: false }] } }] }]);
    const { json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'install left-pad' });
    expect(json.approval_waived).toEqual(['s1']);
    expect(json.workflow.steps[0]).toMatchObject({ requires_approval: false, risky: true });
  });

  it('sends the validation error back once and accepts the corrected plan', async () => {
    openai.script([
      { tool_calls: [{ id: 'call_bad', name: 'submit_plan', args: { title: 'x', steps: [{ title: 'no command', kind: 'shell' }] } }] },
      { tool_calls: [{ name: 'submit_plan', args: GOOD_PLAN }] },
    ]);
    const { status, json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'free some disk space' });
    expect(status).toBe(200);
    expect(json.attempts).toBe(2);
    const retry = openai.chatRequests().at(-1)!.body.messages;
    const toolMessage = retry.find((m: any) => m.role === 'tool');
    expect(toolMessage.tool_call_id).toBe('call_bad');
    expect(toolMessage.content).toMatch(/steps\.0\.command/);
  });

  it('answers 422 PLAN_INVALID and saves nothing when the plan is invalid twice', async () => {
    const before = await workflowCount();
    openai.script([
      { tool_calls: [{ name: 'submit_plan', args: { title: 'x', steps: [] } }] },
      { tool_calls: [{ name: 'submit_plan', args: { title: 'x', steps: [{ title: 'y', kind: 'teleport' }] } }] },
    ]);
    const { status, json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'anything' });
    expect(status).toBe(422);
    expect(json.code).toBe('PLAN_INVALID');
    expect(json.error).toMatch(/steps\.0\.kind/);
    expect(await workflowCount()).toBe(before);
  });

  it('treats a text answer without the tool call as invalid, and broken JSON arguments too', async () => {
    const before = await workflowCount();
    openai.script([{ text: ['Here is my plan: step one…'] }, { tool_calls: [{ name: 'submit_plan', args: {}, raw_args: '{"title": "x", "steps": [' }] }]);
    const { status, json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'anything' });
    expect(status).toBe(422);
    expect(json.error).toMatch(/not a JSON object/);
    expect(openai.chatRequests().at(-1)!.body.messages.at(-1).content).toMatch(/submit_plan/);
    expect(await workflowCount()).toBe(before);
  });

  it('plans over the Anthropic messages format with the named provider', async () => {
    anthropic.script([{ thinking: ['Let me plan.'], tool_calls: [{ name: 'submit_plan', args: GOOD_PLAN }] }]);
    const { status, json } = await call(server, 'POST', '/api/workflow/plan', { goal: 'disk', provider: 'ant' });
    expect(status, JSON.stringify(json)).toBe(200);
    expect(anthropic.chatRequests().at(-1)!.body.tools.map((t: any) => t.name)).toEqual(['submit_plan']);
    expect(json.workflow.steps).toHaveLength(3);
  });

  it('refuses an empty goal, an unknown provider, and passes a provider failure on clearly', async () => {
    expect((await call(server, 'POST', '/api/workflow/plan', { goal: '  ' })).json.code).toBe('VALIDATION_FAILED');
    expect((await call(server, 'POST', '/api/workflow/plan', { goal: 'x', provider: 'nope' })).json.code).toBe('UNKNOWN_PROVIDER');
    const before = await workflowCount();
    openai.script([{ status: 401, error_message: 'bad key' }]);
    const failed = await call(server, 'POST', '/api/workflow/plan', { goal: 'x' });
    expect(failed.json.code).toBe('PROVIDER_UNAUTHORIZED');
    expect(await workflowCount()).toBe(before);
  });
});

describe('prompt steps', () => {
  it('stream the model answer as output, with the earlier steps\' output in the request', async () => {
    const created = await call(server, 'POST', '/api/workflow', {
      title: 'explain',
      goal: 'understand the kernel',
      steps: [
        { title: 'uname', kind: 'shell', command: 'echo kernel-6.1' },
        { title: 'explain', kind: 'prompt', prompt: 'What kernel is this?' },
      ],
    });
    openai.script([{ text: ['It is ', 'Linux 6.1.'] }]);
    const events = await streamed(server, `/api/workflow/execute/${created.json.id}`);
    expect(outputOf(events, 's2')).toBe('It is Linux 6.1.');
    const sent = openai.chatRequests().at(-1)!.body.messages;
    expect(sent.at(-1).content).toContain('kernel-6.1');
    expect(sent.at(-1).content).toContain('What kernel is this?');
    expect(sent[0].content).toContain('understand the kernel');
    expect(events.slice(-2)).toEqual([{ status: 'done' }, { done: 'true' }]);
  });

  it('fail with the provider\'s error when it answers 500', async () => {
    const created = await call(server, 'POST', '/api/workflow', { title: 'p', steps: [{ title: 'ask', kind: 'prompt', prompt: 'hi' }] });
    openai.script([{ status: 500, error_message: 'boom' }]);
    const { json } = await call(server, 'POST', `/api/workflow/execute/${created.json.id}`);
    expect(json.status).toBe('failed');
    expect(json.steps[0].output).toMatch(/PROVIDER_ERROR/);
  });
});
