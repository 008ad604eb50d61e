// The Studio chat in a real browser against a real server whose provider is the stand-in:
// an answer streams in, a tool card shows its result, the conversation is found from the
// sidebar; Stop aborts, sudo is shown blocked, images are checked before upload; and the
// provider checks in Settings. Needs /usr/bin/chromium and a built studio (npm test builds it).
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import type { TestServer } from '../helpers/server.js';
import { activateStandin, send, studioPage, useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const API_KEY = 'sk-standin-e2e';
/** A 1×1 PNG. */
const PNG_1PX = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

const studio = useStudio();
let server: TestServer;
let standin: ProviderStandin;


beforeAll(async () => {
  server = studio.server;
  standin = await startProviderStandin({ apiKey: API_KEY, models: ['standin-small', 'standin-large'] });
  await activateStandin(server, standin, API_KEY, ['standin-small', 'standin-large']);
}, 60_000);

beforeEach(async () => {
  // Every test starts on a fresh conversation.
  expect((await server.fetch('/api/chat/clear', { method: 'POST', body: '{}' })).status).toBe(200);
});


afterAll(async () => {
  await standin?.close();
});

describe('Studio chat in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('streams an answer, shows the terminal tool card with its result, and finds the conversation from the sidebar', async () => {
    standin.script([
      { text: ['Let me ', 'run ', 'that.'], tool_calls: [{ id: 'call_echo', name: 'terminal', args: { command: 'echo hi' } }], delay_ms: 100 },
      { text: ['The ', 'shell ', 'printed ', 'hi, ', 'as ', 'planned.'], delay_ms: 250 },
    ]);
    const page = await studioPage(studio);

    // Record every distinct answer text the page shows, to see it grow chunk by chunk.
    await page.evaluate(() => {
      const samples: string[] = [];
      (window as unknown as { __answerSamples: string[] }).__answerSamples = samples;
      const root = document.querySelector('[data-testid="chat-transcript"]')!;
      new MutationObserver(() => {
        const text = [...root.querySelectorAll('[data-testid="assistant-text"]')].map((e) => e.textContent ?? '').join('|');
        if (text !== samples.at(-1)) samples.push(text);
      }).observe(root, { subtree: true, childList: true, characterData: true });
    });

    await send(page, 'Run echo hi in the shell');
    await page.locator('[data-testid="user-message"]', { hasText: 'Run echo hi in the shell' }).waitFor();
    await page.locator('[data-testid="chat-stop"]').waitFor();

    const card = page.locator('[data-testid="tool-card"][data-tool="terminal"]');
    await card.waitFor();
    expect(await card.innerText()).toContain('echo hi');
    await page.locator('[data-testid="tool-card"][data-tool="terminal"][data-state="ok"]').waitFor();
    expect(await card.locator('[data-testid="tool-result"]').innerText()).toMatch(/^hi$/m);

    const turn = page.locator('[data-testid="assistant-turn"]').last();
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(await turn.locator('[data-testid="assistant-text"]').last().innerText()).toBe('The shell printed hi, as planned.');
    await page.locator('[data-testid="chat-send"]').waitFor();

    const samples = await page.evaluate(() => (window as unknown as { __answerSamples: string[] }).__answerSamples);
    const finalAnswer = samples.map((s) => s.split('|').at(-1) ?? '').filter((s) => s.startsWith('The '));
    // Partial texts were on screen before the whole answer: it streamed, it did not land at once.
    expect(finalAnswer.filter((s) => s !== 'The shell printed hi, as planned.').length).toBeGreaterThanOrEqual(2);
    expect(finalAnswer.at(-1)).toBe('The shell printed hi, as planned.');

    // Two model turns of the stand-in's default usage (10 in, 5 out each).
    await expect.poll(() => page.locator('[data-testid="token-usage"]').innerText(), { timeout: UI_TIMEOUT_MS }).toMatch(/20 in · 10 out · 30 tokens/);

    await page.fill('[data-testid="conversation-search"]', 'planned');
    const hit = page.locator('[data-testid="search-hit"]').first();
    await hit.waitFor();
    expect((await hit.locator('mark').first().innerText()).toLowerCase()).toBe('planned');
    expect(await hit.locator('[data-testid="search-snippet"]').innerText()).toContain('printed hi');
  });

  it('Stop aborts the answer: the provider request is closed and the turn says it stopped', async () => {
    standin.script([{ text: ['One ', 'two ', 'three ', 'four ', 'five ', 'six ', 'seven ', 'eight'], delay_ms: 400 }]);
    const page = await studioPage(studio);
    await send(page, 'Count slowly');
    await page.locator('[data-testid="assistant-text"]', { hasText: 'One' }).waitFor();
    await page.click('[data-testid="chat-stop"]');

    await page.locator('[data-testid="assistant-turn"][data-status="stopped"]').waitFor();
    expect(await standin.chatRequests().at(-1)!.closed).toBe(true);
    expect(await page.locator('[data-testid="assistant-text"]').last().innerText()).not.toContain('eight');
    expect(await page.locator('[data-testid="chat-send"]').count()).toBe(1);
  });

  it('a command that would run sudo shows a blocked card, said plainly', async () => {
    standin.script([{ tool_calls: [{ name: 'terminal', args: { command: 'ls | sudo tee /etc/atelier-e2e' } }] }, { text: ['It was blocked.'] }]);
    const page = await studioPage(studio);
    await send(page, 'Write to /etc');
    const card = page.locator('[data-testid="tool-card"][data-state="blocked"]');
    await card.waitFor();
    expect(await card.locator('[data-testid="tool-result"]').innerText()).toContain('blocked: sudo is not allowed (enable sudo bypass in Settings)');
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
  });

  it('images are checked by content before upload: a text file named .png and a fourth image are refused', async () => {
    standin.script([{ text: ['A tiny image.'] }]);
    const page = await studioPage(studio);
    const picker = page.locator('[data-testid="composer"] input[type="file"]');

    await picker.setInputFiles({ name: 'fake.png', mimeType: 'image/png', buffer: Buffer.from('this is not a picture at all') });
    expect(await page.locator('[data-testid="attach-refusals"]').innerText()).toContain('fake.png');
    expect(await page.locator('[data-testid="attachment"]').count()).toBe(0);

    const png = (name: string) => ({ name, mimeType: 'application/octet-stream', buffer: PNG_1PX });
    await picker.setInputFiles([png('a.bin'), png('b.bin'), png('c.bin'), png('d.bin')]);
    await expect.poll(() => page.locator('[data-testid="attachment"][data-mime="image/png"]').count()).toBe(3);
    expect(await page.locator('[data-testid="attach-refusals"]').innerText()).toContain('d.bin');

    await page.locator('[data-testid="attachment"] button').first().click();
    await expect.poll(() => page.locator('[data-testid="attachment"]').count()).toBe(2);

    const before = standin.chatRequests().length;
    await send(page, 'What is in these images?');
    await page.locator('[data-testid="assistant-turn"][data-status="done"]').waitFor();
    expect(await page.locator('[data-testid="user-message"] img').count()).toBe(2);
    const request = standin.chatRequests()[before]!;
    expect(JSON.stringify(request.body).split(PNG_1PX.toString('base64')).length - 1).toBe(2);
  });

  it('Settings validates and verifies the provider, says its quota is unsupported, and charts its tokens', async () => {
    const page = await studio.signedInPage();
    await page.click('a[data-nav="settings"]');
    const row = page.locator('#settings-providers ul.providers > li[data-provider="standin"]');
    await row.waitFor();
    await row.locator('[data-testid="quota-line"] [data-quota="unsupported"]').waitFor();

    await row.locator('[data-testid="validate-provider"]').click();
    const validated = row.locator('[data-testid="validate-result"]');
    await validated.locator('.badge.success').waitFor();
    expect(await validated.innerText()).toMatch(/\d+ ms/);

    standin.script([{ text: ['pong'] }, { tool_calls: [{ name: 'get_weather', args: { city: 'Paris' } }] }, { text: ['1 2 ', '3 4 ', '5'] }]);
    await row.locator('[data-testid="verify-provider"]').click();
    const probes = row.locator('[data-testid="verify-result"] tr[data-probe]');
    await expect.poll(() => probes.count(), { timeout: UI_TIMEOUT_MS }).toBe(3);
    expect(await row.locator('[data-testid="verify-result"] tr[data-ok="true"]').count()).toBe(3);

    // Verify spent tokens: the weekly chart (read after it) has them.
    const usage = page.locator('[data-testid="provider-usage"]');
    await usage.locator('button[data-period="week"]').click();
    await usage.locator('li[data-provider="standin"] [data-testid="usage-chart"]').waitFor();
    expect(Number(await usage.locator('li[data-provider="standin"] [data-testid="usage-chart"]').getAttribute('data-bars'))).toBeGreaterThan(0);
  });
});
