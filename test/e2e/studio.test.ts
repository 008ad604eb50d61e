// The studio in a real browser against a real server: sign-in, dashboard, live charts,
// language and terminal settings. Needs /usr/bin/chromium (scripts/system-deps.sh installs it)
// and a built studio in web/dist (npm test builds it first).
import { beforeAll, describe, expect, it } from 'vitest';
import type { PublicConfig } from '../../server/src/wire/config.js';
import type { TestServer } from '../helpers/server.js';
import { useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const studio = useStudio();
let server: TestServer;
const newPage = () => studio.newPage();
const signedInPage = () => studio.signedInPage();

async function config(): Promise<PublicConfig> {
  const response = await server.fetch('/api/config');
  expect(response.status).toBe(200);
  return (await response.json()) as PublicConfig;
}

async function generationCount(): Promise<number> {
  return ((await (await server.fetch('/api/config/generations')).json()) as unknown[]).length;
}

beforeAll(async () => {
  server = studio.server;
}, 60_000);



describe('studio in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('opening / without a token shows the sign-in screen, and a wrong token shows an error', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/`);
    await page.locator('[data-testid="signin"]').waitFor();
    expect(await page.locator('input[name="token"]').getAttribute('type')).toBe('password');

    await page.fill('input[name="token"]', 'not-the-token-at-all');
    await page.click('[data-testid="signin"] button[type="submit"]');
    await page.locator('[data-testid="signin-error"]').waitFor();
    expect(await page.locator('[data-testid="tools-table"]').count()).toBe(0);
  });

  it('a link with a wrong token lands on the sign-in screen, and the right token typed there signs in', async () => {
    const page = await newPage();
    await page.goto(`${server.url}/?token=wrong-token-from-an-old-start`);
    expect(new URL(page.url()).hash).toBe('#/signin/failed');
    await page.locator('[data-testid="signin"] .alert.warning').waitFor();

    await page.fill('input[name="token"]', server.token);
    await page.click('[data-testid="signin"] button[type="submit"]');
    await page.locator('[data-testid="tools-table"]').waitFor();
    expect(new URL(page.url()).hash).toBe('#/dashboard');
  });

  it('opening the printed link lands on / without the token and shows git found with its version', async () => {
    const page = await signedInPage();
    expect(page.url()).toBe(`${server.url}/`);

    const git = page.locator('[data-testid="tools-table"] tr[data-tool="git"]');
    await git.waitFor();
    expect(await git.getAttribute('data-found')).toBe('true');
    expect((await git.locator('td.version').innerText()).trim()).toMatch(/^\d+\.\d+/);
  });

  it('Rescan streams its progress and ends with a fresh tools table', async () => {
    const page = await signedInPage();
    const before = (await (await server.fetch('/api/scan')).json()) as { finished_at: string };
    await page.click('[data-testid="rescan"]');
    const count = page.locator('[data-testid="scan-progress"] .count');
    await count.waitFor();
    expect(await count.innerText()).toMatch(/^\d+\/\d+$/);

    await page.locator('[data-testid="scan-progress"]').waitFor({ state: 'detached' });
    expect(await page.locator('[data-testid="rescan"]').isEnabled()).toBe(true);
    expect(await page.locator('[data-testid="tools-table"] tr[data-tool="git"]').getAttribute('data-found')).toBe('true');
    const after = (await (await server.fetch('/api/scan')).json()) as { finished_at: string };
    expect(after.finished_at > before.finished_at).toBe(true);
  });

  it('the CPU chart gains points while the dashboard stays open', async () => {
    const page = await signedInPage();
    const chart = page.locator('[data-testid="cpu-chart"]');
    await chart.waitFor();
    const points = async (): Promise<number> => Number(await chart.getAttribute('data-points'));
    const before = await points();
    await page.waitForTimeout(3_000);
    expect(await points()).toBeGreaterThan(before);
    expect(await chart.locator('canvas').count()).toBeGreaterThan(0);
  });

  it('switching to French renames the navigation, is saved in the profile and survives a reload', async () => {
    const page = await signedInPage();
    const dashboardLink = page.locator('a[data-nav="dashboard"]');
    expect((await dashboardLink.innerText()).trim()).toBe('Dashboard');

    await page.click('button[data-lang="fr"]');
    await page.waitForFunction(() => document.querySelector('a[data-nav="dashboard"]')?.textContent?.trim() === 'Tableau de bord');
    await expect.poll(async () => (await config()).profile.language, { timeout: UI_TIMEOUT_MS }).toBe('fr');

    await page.reload();
    await page.locator('[data-testid="tools-table"]').waitFor();
    expect((await dashboardLink.innerText()).trim()).toBe('Tableau de bord');
    expect((await page.locator('a[data-nav="settings"]').innerText()).trim()).toBe('Paramètres');
    expect(await page.locator('html').getAttribute('lang')).toBe('fr');

    await page.click('button[data-lang="en"]');
    await expect.poll(async () => (await config()).profile.language, { timeout: UI_TIMEOUT_MS }).toBe('en');
  });

  it('changing the terminal font size to 18 in Settings persists after a reload', async () => {
    const page = await signedInPage();
    await page.click('a[data-nav="settings"]');
    const fontSize = page.locator('form[data-form="terminal"] input[name="font_size"]');
    await fontSize.fill('18');
    await page.click('form[data-form="terminal"] button[type="submit"]');
    await expect.poll(async () => (await config()).terminal.font_size, { timeout: UI_TIMEOUT_MS }).toBe(18);

    await page.reload();
    expect(new URL(page.url()).hash).toBe('#/settings');
    expect(await fontSize.inputValue()).toBe('18');
  });

  it('a font size of 73 shows a validation error and saves nothing', async () => {
    const before = await config();
    const generations = await generationCount();
    const page = await signedInPage();
    await page.goto(`${server.url}/#/settings`);
    const form = page.locator('form[data-form="terminal"]');
    await form.locator('input[name="font_size"]').fill('73');
    await form.locator('button[type="submit"]').click();

    const error = form.locator('#term-size-error');
    await error.waitFor();
    expect(await error.innerText()).toMatch(/72/);
    expect(await form.locator('input[name="font_size"]').getAttribute('aria-invalid')).toBe('true');
    // Give a stray request the time to land before checking that none did.
    await page.waitForTimeout(500);
    expect((await config()).terminal.font_size).toBe(before.terminal.font_size);
    expect(await generationCount()).toBe(generations);
  });
});
