// The MCP page in a real browser against a real server: the registry browsed and searched with
// secrets flagged, the filesystem server configured for Claude Code in a project (required
// fields enforced first), its file written and its live status checked, then removed; and one of
// Atelier's own servers toggled off. HOME is a temporary folder, set before the server starts,
// so no real editor file is read or written. Needs /usr/bin/chromium and a built studio.
import { existsSync, mkdirSync, readFileSync, realpathSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page } from 'playwright-core';
import type { TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const home = tempDir('atelier-e2e-mcp-home-');
const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
const HOME = realpathSync(home.dir);
process.env.HOME = HOME;
delete process.env.XDG_CONFIG_HOME;

/**
 * A project with the reference servers installed, as a project that depends on them would be:
 * its node_modules is the repository's, so `npx -y <package>@<version>` run in the project
 * resolves the local install and needs no network.
 */
const PROJECT = join(HOME, 'project');
mkdirSync(PROJECT);
symlinkSync(fileURLToPath(new URL('../../node_modules', import.meta.url)), join(PROJECT, 'node_modules'), 'dir');

/** Starting a server through npx and listing its tools takes a few seconds. */
const STATUS_TIMEOUT_MS = 45_000;

const studio = useStudio();
let server: TestServer;

/** A signed-in page on the MCP page, the registry shown. */
async function mcpPage(): Promise<Page> {
  const page = await studio.signedInPage();
  await page.click('a[data-nav="mcp"]');
  await page.locator('[data-testid="mcp-registry-server"][data-server="filesystem"]').waitFor();
  return page;
}

async function json(path: string): Promise<any> {
  const response = await server.fetch(path);
  expect(response.status, `GET ${path}`).toBe(200);
  return response.json();
}

beforeAll(async () => {
  server = studio.server;
}, 60_000);


afterAll(async () => {
  for (const [key, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[key];
    else process.env[key] = value;
  }
  home.remove();
});

describe('MCP in a browser', { timeout: 90_000 }, () => {
  it('lists the registry, flags the servers that need a secret, and filters by search', async () => {
    const page = await mcpPage();
    const registry = await json('/api/mcp/registry');
    const rows = page.locator('[data-testid="mcp-registry-server"]');
    expect(await rows.count()).toBe(registry.servers.length);

    for (const entry of registry.servers) {
      const secrets = [...entry.env, ...entry.headers].filter((i: any) => i.secret).map((i: any) => i.name);
      const badge = page.locator(`[data-testid="mcp-registry-server"][data-server="${entry.id}"] [data-testid="mcp-secret-badge"]`);
      expect(await badge.count(), entry.id).toBe(secrets.length > 0 ? 1 : 0);
      if (secrets.length > 0) expect(await badge.innerText()).toContain(secrets[0]);
    }
    expect(registry.servers.some((s: any) => [...s.env, ...s.headers].some((i: any) => i.secret))).toBe(true);

    const filesystem = page.locator('[data-testid="mcp-registry-server"][data-server="filesystem"]');
    expect(await filesystem.innerText()).toContain(registry.servers.find((s: any) => s.id === 'filesystem').description);
    expect(await filesystem.locator('[data-testid="mcp-transport-badge"]').allInnerTexts()).toEqual(['stdio']);

    await page.fill('[data-testid="mcp-search"]', 'filesys');
    expect(await rows.count()).toBe(1);
    expect(await rows.first().getAttribute('data-server')).toBe('filesystem');
    await page.fill('[data-testid="mcp-search"]', 'no such server anywhere');
    expect(await rows.count()).toBe(0);
  });

  it('configures the filesystem server for Claude Code in a project, shows it live in the status table, and removes it', { timeout: TEST_TIMEOUT_MS + STATUS_TIMEOUT_MS }, async () => {
    const page = await mcpPage();
    const file = join(PROJECT, '.mcp.json');
    await page.locator('[data-testid="mcp-registry-server"][data-server="filesystem"] [data-testid="mcp-configure"]').click();
    const dialog = page.locator('[data-testid="mcp-configure-dialog"]');
    await dialog.waitFor();

    await dialog.locator('[data-testid="mcp-editor"]').selectOption('claude-code');
    await dialog.locator('[data-testid="mcp-scope"]').selectOption('project');
    // Without a project folder nothing is sent.
    await dialog.locator('[data-testid="mcp-configure-submit"]').click();
    await dialog.locator('[data-testid="mcp-configure-invalid"]').waitFor();
    expect(await dialog.locator('#mcp-project-dir-error').innerText()).toBe('A project-scope entry needs the project\'s folder (absolute, inside your home directory).');
    // The required allowed directory, emptied, is refused too.
    await dialog.locator('#mcp-arg-allowed_directory').fill('');
    await dialog.locator('[data-testid="mcp-configure-submit"]').click();
    expect(await dialog.locator('#mcp-arg-allowed_directory-error').innerText()).toBe('Required');
    expect(existsSync(file)).toBe(false);

    await dialog.locator('[data-testid="mcp-project-dir"]').fill(PROJECT);
    await dialog.locator('#mcp-arg-allowed_directory').fill(PROJECT);
    await dialog.locator('[data-testid="mcp-configure-submit"]').click();
    await dialog.locator('[data-testid="mcp-configure-result"]').waitFor();
    expect(await dialog.locator('[data-testid="mcp-configured-path"]').innerText()).toBe(file);
    const written = JSON.parse(readFileSync(file, 'utf8'));
    expect(written.mcpServers.filesystem).toMatchObject({ type: 'stdio', command: 'npx', args: ['-y', '@modelcontextprotocol/server-filesystem@2026.8.31', PROJECT] });
    await dialog.locator('[data-testid="mcp-configure-done"]').click();
    await dialog.waitFor({ state: 'detached' });

    // The status now covers the project: the server was started, listed its tools and closed.
    expect(await page.inputValue('[data-testid="mcp-status-project"]')).toBe(PROJECT);
    const row = page.locator('[data-testid="mcp-status-row"][data-name="filesystem"][data-scope="project"]');
    await row.waitFor({ timeout: STATUS_TIMEOUT_MS });
    await expect.poll(() => row.getAttribute('data-state'), { timeout: STATUS_TIMEOUT_MS }).toBe('ok');
    expect(await row.getAttribute('data-editor')).toBe('claude-code');
    expect(await row.locator('[data-testid="mcp-status-file"]').innerText()).toBe(file);
    expect(Number(await row.locator('[data-testid="mcp-tools-count"]').innerText())).toBeGreaterThan(5);

    await row.locator('[data-testid="mcp-remove"]').click();
    await row.locator('[data-testid="mcp-remove-confirm"]').click();
    await row.waitFor({ state: 'detached', timeout: STATUS_TIMEOUT_MS });
    expect(JSON.parse(readFileSync(file, 'utf8')).mcpServers.filesystem).toBeUndefined();
  });

  it("configures one of Atelier's own servers and turns it off for the chat", { timeout: TEST_TIMEOUT_MS + STATUS_TIMEOUT_MS }, async () => {
    const page = await mcpPage();
    await page.locator('[data-testid="mcp-registry-server"][data-server="filesystem"] [data-testid="mcp-configure"]').click();
    const dialog = page.locator('[data-testid="mcp-configure-dialog"]');
    await dialog.locator('[data-testid="mcp-editor"]').selectOption('atelier');
    expect(await dialog.locator('[data-testid="mcp-scope"]').isDisabled()).toBe(true);
    await dialog.locator('[data-testid="mcp-name"]').fill('project-files');
    await dialog.locator('#mcp-arg-allowed_directory').fill(PROJECT);
    await dialog.locator('[data-testid="mcp-configure-submit"]').click();
    await dialog.locator('[data-testid="mcp-configure-result"]').waitFor();
    await dialog.locator('[data-testid="mcp-configure-done"]').click();

    const own = page.locator('[data-testid="mcp-own-server"][data-name="project-files"]');
    await own.waitFor({ timeout: UI_TIMEOUT_MS });
    expect(await own.getAttribute('data-enabled')).toBe('true');
    await own.locator('[data-testid="mcp-own-toggle"]').uncheck();
    await expect.poll(() => own.getAttribute('data-enabled'), { timeout: UI_TIMEOUT_MS }).toBe('false');
    const stored = (await json('/api/mcp/servers')).servers.find((s: any) => s.name === 'project-files');
    expect(stored.enabled).toBe(false);

    // The status lists it with Atelier as its editor, disabled (not started).
    const row = page.locator('[data-testid="mcp-status-row"][data-name="project-files"]');
    await page.click('[data-testid="mcp-status-refresh"]');
    await expect.poll(() => row.getAttribute('data-state'), { timeout: STATUS_TIMEOUT_MS }).toBe('disabled');
    expect(await row.getAttribute('data-editor')).toBe('atelier');
  });
});
