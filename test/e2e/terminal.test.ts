// The Terminals page in a real browser against a real server: a local shell typed into and read
// back from xterm's buffer, a reload that re-attaches it, closing a tab, the SSH connection
// editor's validation, and the host-key confirmation against a real sshd.
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import type { SshConnectionPublic, TerminalSessionsResponse } from '../../server/src/wire/terminal.js';
import type { TestServer } from '../helpers/server.js';
import { startSshd } from '../helpers/sshd.js';
import { TerminalClient } from '../helpers/terminal-client.js';
import { useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const studio = useStudio();
let server: TestServer;

beforeAll(async () => {
  server = studio.server;
}, 60_000);



async function sessions(): Promise<TerminalSessionsResponse> {
  const response = await server.fetch('/api/terminal/sessions');
  expect(response.status).toBe(200);
  return (await response.json()) as TerminalSessionsResponse;
}

/** The text in every terminal's xterm buffer (scrollback and screen), read through web/src/terminal/test-hook.ts. */
function buffers(page: Page): Promise<string> {
  return page.evaluate(() => {
    const probe = (window as unknown as { __atelierTerminals?: { keys(): string[]; text(key: string): string | null } }).__atelierTerminals;
    return probe ? probe.keys().map((key) => probe.text(key) ?? '').join('\n') : '';
  });
}

/** Signed in, on the Terminals page. */
async function terminalsPage(): Promise<Page> {
  const page = await studio.signedInPage();
  await page.click('a[data-nav="terminals"]');
  await page.locator('[data-testid="new-terminal"]').waitFor();
  return page;
}

/** Waits for the only tab to show a live session; answers its id. */
async function openTab(page: Page): Promise<string> {
  const tab = page.locator('[data-testid="terminal-tab"]');
  await expect.poll(() => tab.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('open');
  const id = await tab.getAttribute('data-session');
  expect(id).toMatch(/^[0-9a-f-]{36}$/);
  return id!;
}

/** Opens a /bin/sh tab (sh, not bash: Debian's .bashrc rewrites the title at each prompt) and waits for its session; answers its id. */
async function openShTab(page: Page): Promise<string> {
  await page.click('[data-testid="new-terminal"]');
  await page.click('[data-testid="new-terminal-item"][data-shell="/bin/sh"]');
  return openTab(page);
}

/** Closes the only tab, ending its session. */
async function closeOnlyTab(page: Page): Promise<void> {
  await page.click('[data-testid="terminal-tab-close"]');
  await page.locator('[data-testid="terminal-tab"]').waitFor({ state: 'detached' });
}

/** Types a line into the shown terminal, as a user would. */
async function typeLine(page: Page, line: string): Promise<void> {
  await page.locator('[role="tabpanel"]:not([hidden]) [data-testid="terminal"]').click();
  await page.keyboard.type(line);
  await page.keyboard.press('Enter');
}

describe('terminals in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('a local shell echoes what is typed, a reload re-attaches it with its screen, and closing the tab ends it', async () => {
    const shells = (await sessions()).system.flatMap((s) => (s.kind === 'local' ? [s.shell] : []));
    const shell = shells.find((s) => s === '/bin/sh') ?? shells.find((s) => s.endsWith('bash'));
    expect(shell, `a POSIX shell among ${shells.join(', ')}`).toBeDefined();

    const page = await terminalsPage();
    await page.click('[data-testid="new-terminal"]');
    await page.click(`[data-testid="new-terminal-item"][data-shell="${shell}"]`);
    const id = await openTab(page);

    // The command line holds "hello-$((6*7))"; only the shell's output holds "hello-42".
    await typeLine(page, 'echo hello-$((6*7))');
    await expect.poll(() => buffers(page), { timeout: UI_TIMEOUT_MS }).toContain('hello-42');

    await page.reload();
    expect(new URL(page.url()).hash).toBe('#/terminals');
    expect(await openTab(page)).toBe(id);
    await expect.poll(() => buffers(page), { timeout: UI_TIMEOUT_MS }).toContain('hello-42');
    expect(await page.locator('[data-testid="terminal-tab"]').count()).toBe(1);
    // Re-attached, not restarted: the same session, still live and typed into.
    await typeLine(page, 'echo again-$((6*7))');
    await expect.poll(() => buffers(page), { timeout: UI_TIMEOUT_MS }).toContain('again-42');

    await closeOnlyTab(page);
    await expect.poll(async () => (await sessions()).active.some((s) => s.id === id), { timeout: UI_TIMEOUT_MS }).toBe(false);
  });

  it('lays out wide characters as two cells (Unicode 11), in the tab and in the screen restored after a reload', async () => {
    const page = await terminalsPage();
    const id = await openShTab(page);
    // An emoji, then "Z" at column 3: right after the emoji if it is two cells wide, after a gap if one.
    await typeLine(page, "printf '\\360\\237\\232\\200\\033[3GZ\\n'");
    await expect.poll(() => buffers(page), { timeout: UI_TIMEOUT_MS }).toContain('\u{1F680}Z');
    await page.reload();
    expect(await openTab(page)).toBe(id);
    await expect.poll(() => buffers(page), { timeout: UI_TIMEOUT_MS }).toContain('\u{1F680}Z');
    await closeOnlyTab(page);
  });

  it('a tab takes the title its program sets (OSC 0), and keeps it across a reload', async () => {
    const page = await terminalsPage();
    const id = await openShTab(page);
    const title = page.locator('[data-testid="terminal-tab"] .tab-title');
    // The typed line holds "build-$((6*7))"; only the title the shell's printf sets is "build-42".
    await typeLine(page, "printf '\\033]0;%s\\007' build-$((6*7))");
    await expect.poll(() => title.innerText(), { timeout: UI_TIMEOUT_MS }).toBe('build-42');
    await expect.poll(async () => (await sessions()).active.find((s) => s.id === id)?.title, { timeout: UI_TIMEOUT_MS }).toBe('build-42');

    await page.reload();
    expect(await openTab(page)).toBe(id);
    await expect.poll(() => title.innerText(), { timeout: UI_TIMEOUT_MS }).toBe('build-42');
    await closeOnlyTab(page);
  });

  it('tabs reorder by drag and drop and by Shift+arrow, and keep their order across a reload', async () => {
    const page = await terminalsPage();
    const tabs = page.locator('[data-testid="terminal-tab"]');
    const order = () => tabs.evaluateAll((els) => els.map((el) => el.getAttribute('data-session')));
    for (const n of [1, 2]) {
      await page.click('[data-testid="new-terminal"]');
      await page.click('[data-testid="new-terminal-item"][data-shell="/bin/sh"]');
      await expect.poll(async () => (await order()).filter((id) => id && /^[0-9a-f-]{36}$/.test(id)).length, { timeout: UI_TIMEOUT_MS }).toBe(n);
    }
    const [first, second] = (await order()) as string[];

    await tabs.nth(1).dragTo(tabs.nth(0));
    await expect.poll(order, { timeout: UI_TIMEOUT_MS }).toEqual([second, first]);

    await tabs.nth(0).locator('[role="tab"]').focus();
    await page.keyboard.press('Shift+ArrowRight');
    await expect.poll(order, { timeout: UI_TIMEOUT_MS }).toEqual([first, second]);
    await tabs.nth(1).locator('[role="tab"]').focus();
    await page.keyboard.press('Shift+ArrowLeft');
    await expect.poll(order, { timeout: UI_TIMEOUT_MS }).toEqual([second, first]);

    await page.reload();
    await expect.poll(order, { timeout: UI_TIMEOUT_MS }).toEqual([second, first]);
    for (let i = 0; i < 2; i++) await page.locator('[data-testid="terminal-tab-close"]').first().click();
    await tabs.first().waitFor({ state: 'detached' });
  });

  it('a tab says so when another view of its terminal holds it back, and goes on once that view leaves', async () => {
    const page = await terminalsPage();
    const id = await openShTab(page);
    const status = page.locator('[data-testid="terminal-status"]');
    // Another window on the same session that never acknowledges its output.
    const other = new TerminalClient(server.port, server.token, { autoAck: false });
    try {
      await other.opened();
      other.send({ type: 'attach', data: { id } });
      await other.waitForMessage((m) => m.type === 'ready');
      await typeLine(page, 'yes held-back | head -c 20000000; echo; echo HELD-$((3*3))');
      await expect.poll(() => status.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('held');
    } finally {
      other.close();
    }
    await expect.poll(() => buffers(page), { timeout: 60_000 }).toContain('HELD-9');
    expect(await status.getAttribute('data-state')).toBe('open');
    await closeOnlyTab(page);
  });

  it('the SSH connection editor shows the server\'s error next to a missing host and saves nothing', async () => {
    const page = await terminalsPage();
    await page.click('[data-testid="new-terminal"]');
    await page.click('[data-testid="manage-ssh"]');
    const dialog = page.locator('[data-testid="ssh-dialog"]');
    await dialog.waitFor();
    await dialog.locator('[data-testid="add-ssh"]').click();

    const form = dialog.locator('form[data-form="ssh"]');
    await form.locator('input[name="name"]').fill('no-host');
    await form.locator('input[name="username"]').fill('me');
    await form.locator('input[name="password"]').fill('secret');
    await form.locator('button[type="submit"]').click();

    const error = form.locator('#ssh-host-error');
    await error.waitFor();
    expect((await error.innerText()).trim()).not.toBe('');
    expect(await form.locator('input[name="host"]').getAttribute('aria-invalid')).toBe('true');
    expect((await sessions()).connections.map((c) => c.name)).not.toContain('no-host');
  });

  it('saving an SSH connection asks to trust its host key, and a changed key shows both fingerprints', async () => {
    const sshd = await startSshd();
    try {
      const page = await terminalsPage();
      await page.click('[data-testid="new-terminal"]');
      await page.click('[data-testid="manage-ssh"]');
      const dialog = page.locator('[data-testid="ssh-dialog"]');
      await dialog.locator('[data-testid="add-ssh"]').click();

      const form = dialog.locator('form[data-form="ssh"]');
      await form.locator('input[name="name"]').fill('sshd');
      await form.locator('input[name="host"]').fill('127.0.0.1');
      await form.locator('input[name="port"]').fill(String(sshd.port));
      await form.locator('input[name="username"]').fill(sshd.user);
      await form.locator('select[name="auth"]').selectOption('key');
      await form.locator('textarea[name="private_key"]').fill(sshd.clientKey);
      await form.locator('button[type="submit"]').click();

      const check = dialog.locator('[data-testid="hostkey-check"]');
      await expect.poll(() => check.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('unpinned');
      expect(await check.locator('[data-testid="hostkey-presented"]').innerText()).toBe(sshd.hostKeyFingerprint);
      await check.locator('[data-testid="hostkey-trust"]').click();
      await expect.poll(() => check.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('pinned');
      const saved = (await sessions()).connections.find((c) => c.name === 'sshd') as SshConnectionPublic;
      expect(saved.host_key_sha256).toBe(sshd.hostKeyFingerprint);
      expect(saved.private_key).toBe('***');

      const pinned = sshd.hostKeyFingerprint;
      await sshd.swapHostKey();
      await dialog.locator('li[data-connection="sshd"] button', { hasText: /host key/i }).click();
      await expect.poll(() => check.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('changed');
      expect(await check.locator('[data-testid="hostkey-pinned"]').innerText()).toBe(pinned);
      expect(await check.locator('[data-testid="hostkey-presented"]').innerText()).toBe(sshd.hostKeyFingerprint);

      await check.locator('[data-testid="hostkey-forget"]').click();
      await check.locator('[data-testid="hostkey-forget-confirm"]').click();
      await expect.poll(() => check.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('unpinned');
      expect((await sessions()).connections.find((c) => c.name === 'sshd')?.host_key_sha256).toBeNull();
    } finally {
      await sshd.stop();
    }
  });
});
