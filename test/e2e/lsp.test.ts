// The language servers page in a real browser against a real server: the registry listed,
// bash-language-server installed through the UI (a real npm install into the test server's
// managed prefix, output streamed), its version and path shown, its health checked with a real
// handshake, auto-install previewed for a project, and the Helix configuration previewed
// (naming the installed binary) and written into the project. HOME is a temporary folder, set
// before the server starts. Needs /usr/bin/chromium, a built studio and the npm registry.
import { existsSync, mkdirSync, readFileSync, realpathSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

// npm keeps its cache under HOME: keep the real one (speed), then make HOME a temp folder.
process.env.npm_config_cache ??= join(homedir(), '.npm');
const home = tempDir('atelier-e2e-lsp-home-');
const savedHome = process.env.HOME;
const HOME = realpathSync(home.dir);
process.env.HOME = HOME;

const BASH = 'bash-language-server';
/** A real npm install: usually 10–30 s, more on a slow network. */
const INSTALL_TIMEOUT_MS = 180_000;
/** A project whose one shell script calls for the bash server. */
const PROJECT = join(HOME, 'scripts-project');
mkdirSync(PROJECT);
writeFileSync(join(PROJECT, 'build.sh'), '#!/bin/sh\necho building\n');

const studio = useStudio();
let server: TestServer;
let page: Page;

/** A signed-in page on the language servers page, its table shown. */
async function lspPage(): Promise<Page> {
  page = await studio.signedInPage();
  await page.click('a[data-nav="lsp"]');
  await page.locator(`[data-testid="lsp-server"][data-server="${BASH}"]`).waitFor();
  return page;
}

function row(id: string): Locator {
  return page.locator(`[data-testid="lsp-server"][data-server="${id}"]`);
}

beforeAll(async () => {
  server = studio.server;
}, 60_000);


afterAll(async () => {
  process.env.HOME = savedHome;
  home.remove();
});

// The tests run in order: the later ones check the server the second one installed.
describe('Language servers in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('lists every registry server with its languages, bash-language-server not installed yet', async () => {
    await lspPage();
    const list = await (await server.fetch('/api/lsp')).json();
    expect(await page.locator('[data-testid="lsp-server"]').count()).toBe(list.servers.length);
    expect(list.servers.length).toBeGreaterThan(10);
    expect(await row(BASH).getAttribute('data-installed')).toBe('false');
    expect(await row(BASH).innerText()).toContain('shellscript');
    expect(await row(BASH).locator('[data-testid="lsp-install"]').innerText()).toBe('Install');
  });

  it('installs bash-language-server with its output streamed, then shows its version and path', { timeout: INSTALL_TIMEOUT_MS + 30_000 }, async () => {
    await lspPage();
    await row(BASH).locator('[data-testid="lsp-install"]').click();
    const log = page.locator('[data-testid="lsp-install-log"]');
    await log.waitFor();
    await page.locator('[data-testid="lsp-install-log"][data-state="installed"]').waitFor({ timeout: INSTALL_TIMEOUT_MS });
    const output = await log.locator('[data-testid="lsp-install-output"]').innerText();
    expect(output).toMatch(/\$ \S*npm install --prefix \S+ bash-language-server@\^5/);
    expect(output).toMatch(/added \d+ package/);
    expect(await log.locator('progress').evaluate((el) => (el as HTMLProgressElement).value)).toBe(1);

    await expect.poll(() => row(BASH).getAttribute('data-installed'), { timeout: UI_TIMEOUT_MS }).toBe('true');
    expect(await row(BASH).locator('[data-testid="lsp-version"]').innerText()).toMatch(/^5\.\d+\.\d+/);
    const path = await row(BASH).locator('[data-testid="lsp-path"]').innerText();
    expect(path).toBe(join(server.home, 'lsp', 'node_modules', '.bin', BASH));
    expect(await row(BASH).locator('[data-testid="lsp-installed"]').innerText()).toContain('by Atelier');
    expect(await row(BASH).locator('[data-testid="lsp-install"]').innerText()).toBe('Reinstall');
  });

  it('Check health handshakes the installed server: healthy, with its latency and name', async () => {
    await lspPage();
    expect(await row(BASH).locator('[data-testid="lsp-health"]').getAttribute('data-state')).toBe('unknown');
    await page.click('[data-testid="lsp-check-health"]');
    const health = row(BASH).locator('[data-testid="lsp-health"]');
    await expect.poll(() => health.getAttribute('data-state'), { timeout: UI_TIMEOUT_MS }).toBe('ok');
    expect(await health.locator('[data-testid="lsp-latency"]').innerText()).toMatch(/^[\d,]+ ms$/);
    expect(await health.innerText()).toMatch(/healthy/);
    const answer = await (await server.fetch(`/api/lsp/health?id=${BASH}`)).json();
    expect(answer.servers[0]).toMatchObject({ id: BASH, ok: true });
    if (answer.servers[0].server_info) expect(await health.locator('[data-testid="lsp-server-info"]').innerText()).toContain(answer.servers[0].server_info.name);
  });

  it('auto-install previews a project: the bash server is found by its script and already installed', async () => {
    await lspPage();
    await page.fill('[data-testid="lsp-project-dir"]', PROJECT);
    await page.click('[data-testid="lsp-auto-preview"]');
    const report = page.locator('[data-testid="lsp-auto-report"][data-dry-run="true"]');
    await report.waitFor();
    const entry = report.locator(`[data-testid="lsp-auto-entry"][data-server="${BASH}"]`);
    expect(await entry.getAttribute('data-action')).toBe('already_installed');
    expect(await entry.innerText()).toContain('*.sh');
    // Nothing is missing, so there is nothing to install.
    expect(await page.locator('[data-testid="lsp-auto-install"]').isDisabled()).toBe(true);
  });

  it('the Helix configuration names the installed binary, and is written into the project when asked', async () => {
    const binary = join(server.home, 'lsp', 'node_modules', '.bin', BASH);
    await lspPage();
    await page.fill('[data-testid="lsp-project-dir"]', PROJECT);
    await page.click('[data-testid="lsp-editor-tab"][data-editor="helix"]');
    const panel = page.locator('[data-testid="lsp-editor-panel"][data-editor="helix"]');
    const file = panel.locator('[data-testid="lsp-config-file"]').first();
    await file.waitFor();
    const target = join(PROJECT, '.helix', 'languages.toml');
    expect(await file.getAttribute('data-path')).toBe(target);
    expect(await file.locator('[data-testid="lsp-config-content"]').innerText()).toContain(binary);

    await panel.locator('[data-testid="lsp-config-write"]').click();
    await panel.locator('[data-testid="lsp-config-write-confirm"]').click();
    await page.locator('[data-testid="lsp-config-file"][data-written="true"]').waitFor();
    expect(existsSync(target)).toBe(true);
    expect(readFileSync(target, 'utf8')).toContain(binary);
  });
});
