// Permissions in a real browser against a real server whose provider is the stand-in: a
// command that writes waits on an approval card in the chat; Allow once runs it, Deny with a
// note keeps it from running and tells the model, a waiting card comes back after a reload;
// and Settings → Permissions adds a rule that the tester then shows deciding. Needs
// /usr/bin/chromium and a built studio (npm test builds it).
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import { tempDir, type TestServer } from '../helpers/server.js';
import { activateStandin, send, studioPage, useStudio, TEST_TIMEOUT_MS } from './browser.js';

const API_KEY = 'sk-standin-permissions';
const MODELS = ['standin-small'];

const studio = useStudio();
let server: TestServer;
let standin: ProviderStandin;
/** Where the model's commands would write: a folder of the test's own, not the real home. */
let scratch: ReturnType<typeof tempDir>;


/** The test id of the element that has focus. */
function focused(page: Page): Promise<string | null> {
  return page.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null);
}

/** The model's next two turns: create `file` with the terminal tool, then say `reply`. */
function scriptTouch(file: string, reply: string): void {
  standin.script([
    { text: ['Creating the file.'], tool_calls: [{ name: 'terminal', args: { command: `touch ${file}` } }] },
    { text: [reply] },
  ]);
}

beforeAll(async () => {
  server = studio.server;
  scratch = tempDir();
  standin = await startProviderStandin({ apiKey: API_KEY, models: MODELS });
  await activateStandin(server, standin, API_KEY, MODELS);
}, 60_000);

beforeEach(async () => {
  expect((await server.fetch('/api/chat/clear', { method: 'POST', body: '{}' })).status).toBe(200);
});

afterAll(async () => {
  await standin?.close();
  scratch?.remove();
});

describe('Permissions in the studio', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a command that writes waits on an approval card; Allow once runs it and the answer goes on', async () => {
    const file = join(scratch.dir, 'made-by-model-once');
    scriptTouch(file, 'The file is there.');
    const page = await studioPage(studio);
    await send(page, 'Create the file');

    const card = page.locator('[data-testid="tool-card"][data-state="waiting"] [data-testid="approval-card"]');
    await card.waitFor();
    expect(await card.getAttribute('data-tool')).toBe('terminal');
    expect(await card.locator('[data-testid="approval-command"][data-decision="ask"]').innerText()).toContain(`touch ${file}`);
    // What "allow always" would save is on the card before anyone clicks it: the command itself (touch names no verb).
    expect(await card.locator('[data-testid="approval-saves"]').innerText()).toContain(`terminal "touch ${file}" → allow`);
    await expect.poll(() => focused(page)).toBe('approval-card');
    expect(existsSync(file)).toBe(false);

    await card.locator('[data-testid="approval-allow"]').click();
    await page.locator('[data-testid="approval-outcome"][data-outcome="allow_once"]').waitFor();
    await page.locator('[data-testid="tool-card"][data-tool="terminal"][data-state="ok"]').waitFor();
    expect(existsSync(file)).toBe(true);
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(await page.locator('[data-testid="assistant-text"]').last().innerText()).toBe('The file is there.');
    expect(await page.locator('[data-testid="approval-card"]').count()).toBe(0);
  });

  it('Deny with a note, from the keyboard: the command does not run, the card says denied, and the model reads the note', async () => {
    const file = join(scratch.dir, 'made-by-model-denied');
    scriptTouch(file, 'Understood, I will leave it.');
    const page = await studioPage(studio);
    await send(page, 'Create the other file');

    const card = page.locator('[data-testid="approval-card"]');
    await card.waitFor();
    await expect.poll(() => focused(page)).toBe('approval-card');
    // n goes to the note; Enter in it denies.
    await page.keyboard.press('n');
    await expect.poll(() => focused(page)).toBe('approval-note');
    await page.keyboard.type('Not in this folder, please');
    await page.keyboard.press('Enter');

    const denied = page.locator('[data-testid="tool-card"][data-tool="terminal"][data-state="denied"]');
    await denied.waitFor();
    expect(await denied.locator('[data-testid="tool-result"]').innerText()).toContain('Not in this folder, please');
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(existsSync(file)).toBe(false);
    const toolMessage = (standin.chatRequests().at(-1)!.body.messages as { role: string; content: unknown }[]).find((m) => m.role === 'tool');
    expect(JSON.stringify(toolMessage?.content)).toContain('Not in this folder, please');
  });

  it('a waiting approval comes back after a reload and can be answered there', async () => {
    const file = join(scratch.dir, 'made-by-model-reloaded');
    scriptTouch(file, 'Made it after the reload.');
    const page = await studioPage(studio);
    await send(page, 'Create a third file');
    await page.locator('[data-testid="approval-card"]').waitFor();

    await page.reload();
    const card = page.locator('[data-testid="tool-card"][data-state="waiting"] [data-testid="approval-card"]');
    await card.waitFor();
    expect(await card.locator('[data-testid="approval-command"]').innerText()).toContain(`touch ${file}`);
    await page.locator('[data-testid="chat-stop"]').waitFor();
    expect(existsSync(file)).toBe(false);

    await card.locator('[data-testid="approval-allow"]').click();
    await page.locator('[data-testid="tool-card"][data-tool="terminal"][data-state="ok"]').waitFor();
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(await page.locator('[data-testid="assistant-text"]').last().innerText()).toBe('Made it after the reload.');
    expect(existsSync(file)).toBe(true);
    await page.locator('[data-testid="chat-send"]').waitFor();
  });

  it('choosing trusted in the composer asks first, then says it is on, and the next call runs without a card', async () => {
    const file = join(scratch.dir, 'made-by-model-trusted');
    scriptTouch(file, 'Done without asking.');
    const page = await studioPage(studio);
    const mode = page.locator('[data-testid="permission-mode"]');
    expect(await mode.inputValue()).toBe('ask');

    await mode.selectOption('trusted');
    await page.locator('[data-testid="trusted-confirm"]').waitFor();
    // Not on until confirmed.
    expect(await mode.inputValue()).toBe('ask');
    expect(await page.locator('[data-testid="trusted-badge"]').count()).toBe(0);
    await page.click('[data-testid="trusted-confirm-yes"]');
    await page.locator('[data-testid="trusted-badge"]').waitFor();

    await send(page, 'Create it, no questions');
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(await page.locator('[data-testid="approval-card"]').count()).toBe(0);
    expect(existsSync(file)).toBe(true);
    const history = (await (await server.fetch('/api/chat/history')).json()) as { permission_mode: string | null };
    expect(history.permission_mode).toBe('trusted');
  });

  it('Settings → Permissions adds a rule, refuses a bad pattern next to its field, and the tester shows the rule deciding', async () => {
    const page = await studio.signedInPage();
    await page.click('a[data-nav="settings"]');
    const section = page.locator('#settings-permissions');
    await section.waitFor();

    // A pattern with a `;` is refused by the server, which names the field.
    const editor = section.locator('[data-testid="rule-editor"]').last();
    await editor.locator('[data-testid="rule-tool"]').selectOption('terminal');
    await editor.locator('[data-testid="rule-match"]').fill('git status; rm -rf /tmp/x');
    await editor.locator('[data-testid="rule-save"]').click();
    await section.locator('#rule-new-match-error').waitFor();
    expect(await section.locator('[data-testid="permission-rule"]').count()).toBe(0);

    await editor.locator('[data-testid="rule-match"]').fill('git status');
    await editor.locator('[data-testid="rule-action"]').selectOption('allow');
    await editor.locator('[data-testid="rule-save"]').click();
    await section.locator('[data-testid="permission-rule"][data-tool="terminal"][data-match="git status"][data-action="allow"]').waitFor();
    const stored = (await (await server.fetch('/api/permissions')).json()) as { rules: unknown[] };
    expect(stored.rules).toEqual([{ tool: 'terminal', match: 'git status', action: 'allow' }]);

    const tester = section.locator('[data-testid="policy-tester"]');
    await tester.locator('[data-testid="tester-tool"]').selectOption('terminal');
    await tester.locator('[data-testid="tester-input"]').fill('git status');
    await tester.locator('[data-testid="tester-run"]').click();
    const result = section.locator('[data-testid="tester-result"]');
    await result.waitFor();
    expect(await result.getAttribute('data-decision')).toBe('allow');
    expect(await result.locator('[data-testid="tester-reason"]').innerText()).toContain('rule 1');
    expect(await result.locator('[data-testid="tester-command"][data-decision="allow"]').innerText()).toContain('git status');

    // The decisions of the chat tests above are in the audit list, the user's among them.
    await section.locator('[data-testid="audit-entry"][data-decided-by="user"]').first().waitFor();
  });
});
