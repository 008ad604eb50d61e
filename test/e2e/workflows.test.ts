// The Workflows page in a real browser against a real server whose provider is the stand-in:
// a goal is planned (the stand-in calls submit_plan), reviewed, run with live output, and its
// gated step approved or rejected with a note, also after a reload. Needs /usr/bin/chromium and
// a built studio (npm test builds it).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import type { TestServer } from '../helpers/server.js';
import { activateStandin, useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const API_KEY = 'sk-standin-e2e';

/** What the stand-in submits: a harmless step, then one that waits for approval. */
const PLAN = {
  title: 'Two echoes',
  steps: [
    { title: 'Say the first thing', kind: 'shell', command: 'echo first-step-output', requires_approval: false },
    { title: 'Say the gated thing', kind: 'shell', command: 'echo gated-step-output', requires_approval: true },
  ],
};

const studio = useStudio();
let server: TestServer;
let standin: ProviderStandin;

/** A signed-in page on the Workflows page, its planner ready. */
async function workflowsPage(): Promise<Page> {
  const page = await studio.signedInPage();
  await page.click('a[data-nav="workflows"]');
  await page.locator('[data-testid="plan-form"]').waitFor();
  await page.locator('[data-testid="provider-select"]').waitFor();
  return page;
}

/** Plans `goal` (the stand-in answers PLAN) and answers the new workflow's id once the review shows. */
async function plan(page: Page, goal: string): Promise<string> {
  standin.script([{ tool_calls: [{ name: 'submit_plan', args: PLAN }] }]);
  await page.fill('[data-testid="workflow-goal"]', goal);
  await page.click('[data-testid="plan-workflow"]');
  await page.locator('[data-testid="workflow-editor"]').waitFor();
  const id = await page.locator('[data-testid="workflow-detail"]').getAttribute('data-workflow');
  expect(id).toBeTruthy();
  return id!;
}

/** Runs the reviewed workflow until its second step waits: the first one's output shows, done. */
async function runToApproval(page: Page): Promise<{ first: Locator; second: Locator }> {
  await page.click('[data-testid="run-workflow"]');
  const first = page.locator('[data-testid="workflow-step"]').nth(0);
  const second = page.locator('[data-testid="workflow-step"]').nth(1);
  await second.locator('[data-testid="step-approval-card"]').waitFor();
  // The same card as the chat's, saying why it waits: the plan gated it (the policy allows echo).
  expect(await second.locator('[data-testid="approval-reason"]').innerText()).toBe('The plan marks this step for approval');
  expect(await first.getAttribute('data-status')).toBe('done');
  expect(await first.locator('[data-testid="step-output"]').innerText()).toContain('first-step-output');
  expect(await second.getAttribute('data-status')).toBe('awaiting_approval');
  expect(await second.locator('[data-testid="step-output"]').count()).toBe(0);
  expect(await page.locator('[data-testid="workflow-status"]').getAttribute('data-status')).toBe('awaiting_approval');
  return { first, second };
}

/** The workflow as the server stores it. */
async function stored(id: string): Promise<any> {
  const response = await server.fetch(`/api/workflow/${id}`);
  expect(response.status).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = studio.server;
  standin = await startProviderStandin({ apiKey: API_KEY, models: ['standin-small', 'standin-large'] });
  await activateStandin(server, standin, API_KEY, ['standin-small', 'standin-large']);
}, 60_000);


afterAll(async () => {
  await standin?.close();
});

describe('Workflows in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('plans a goal, shows the plan for review, runs step one live, and finishes once the gated step is approved', async () => {
    const page = await workflowsPage();
    const id = await plan(page, 'Print two lines, the second only if I agree');

    // The planner was offered one tool, with the goal, on the picked model.
    const sent = standin.chatRequests().at(-1)!.body;
    expect(sent.tools.map((t: any) => t.function.name)).toEqual(['submit_plan']);
    expect(sent.model).toBe('standin-small');
    expect(JSON.stringify(sent.messages)).toContain('Print two lines, the second only if I agree');

    // Review: the title and both steps, the second one gated; nothing to accept.
    expect(new URL(page.url()).hash).toBe(`#/workflows/${id}`);
    expect(await page.inputValue('[data-testid="workflow-title"]')).toBe('Two echoes');
    const editors = page.locator('[data-testid="step-editor"]');
    expect(await editors.count()).toBe(2);
    expect(await editors.nth(0).locator('[data-testid="step-command"]').inputValue()).toBe('echo first-step-output');
    expect(await editors.nth(1).locator('[data-testid="step-command"]').inputValue()).toBe('echo gated-step-output');
    expect(await editors.nth(0).locator('[data-testid="step-approval"]').isChecked()).toBe(false);
    expect(await editors.nth(1).locator('[data-testid="step-approval"]').isChecked()).toBe(true);
    expect(await page.locator('[data-testid="waiver-warning"]').count()).toBe(0);

    const { second } = await runToApproval(page);
    await second.locator('[data-testid="approval-note"]').fill('fine by me');
    await second.locator('[data-testid="approval-allow"]').click();

    await page.locator('[data-testid="workflow-status"][data-status="done"]').waitFor();
    await expect.poll(() => second.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('done');
    expect(await second.locator('[data-testid="step-output"]').innerText()).toContain('gated-step-output');
    expect(await second.locator('[data-testid="step-note"]').innerText()).toContain('fine by me');

    // The history lists it, done, and its run is recorded.
    const item = page.locator(`[data-testid="workflow-item"][data-workflow="${id}"]`);
    await expect.poll(() => item.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('done');
    expect(await item.innerText()).toContain('Two echoes');
    await page.locator('[data-testid="workflow-run"][data-status="done"]').waitFor();

    const workflow = await stored(id);
    expect(workflow.status).toBe('done');
    expect(workflow.steps.map((s: any) => s.status)).toEqual(['done', 'done']);
    expect(workflow.steps[1].note).toBe('fine by me');
  });

  it('rejecting the gated step with a note stops the workflow as rejected', async () => {
    const page = await workflowsPage();
    const id = await plan(page, 'Print two lines, but I will refuse the second');
    const { first, second } = await runToApproval(page);

    await second.locator('[data-testid="approval-note"]').fill('not today');
    await second.locator('[data-testid="approval-deny"]').click();

    await page.locator('[data-testid="workflow-status"][data-status="rejected"]').waitFor();
    await expect.poll(() => second.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('rejected');
    expect(await first.getAttribute('data-status')).toBe('done');
    expect(await second.locator('[data-testid="step-note"]').innerText()).toContain('not today');
    expect(await second.locator('[data-testid="step-approval-card"]').count()).toBe(0);
    expect(await second.locator('[data-testid="step-output"]').count()).toBe(0);

    const item = page.locator(`[data-testid="workflow-item"][data-workflow="${id}"]`);
    await expect.poll(() => item.getAttribute('data-status'), { timeout: UI_TIMEOUT_MS }).toBe('rejected');
    await page.locator('[data-testid="workflow-run"][data-status="rejected"]').waitFor();

    const workflow = await stored(id);
    expect(workflow.status).toBe('rejected');
    expect(workflow.steps.map((s: any) => s.status)).toEqual(['done', 'rejected']);
    expect(workflow.steps[1].note).toBe('not today');
  });

  it('a reload while a step awaits approval shows it still waiting, and it can be approved', async () => {
    const page = await workflowsPage();
    const id = await plan(page, 'Print two lines across a reload');
    await runToApproval(page);

    await page.reload();
    const second = page.locator('[data-testid="workflow-step"]').nth(1);
    await second.locator('[data-testid="step-approval-card"]').waitFor();
    expect(new URL(page.url()).hash).toBe(`#/workflows/${id}`);
    expect(await page.locator('[data-testid="workflow-status"]').getAttribute('data-status')).toBe('awaiting_approval');
    expect(await page.locator('[data-testid="workflow-step"]').nth(0).locator('[data-testid="step-output"]').innerText()).toContain('first-step-output');

    await second.locator('[data-testid="approval-allow"]').click();
    await page.locator('[data-testid="workflow-status"][data-status="done"]').waitFor();
    expect(await second.locator('[data-testid="step-output"]').innerText()).toContain('gated-step-output');
    expect((await stored(id)).status).toBe('done');
  });
});
