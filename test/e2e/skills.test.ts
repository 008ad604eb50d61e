// The Skills page in a real browser against a real server: the built-in skills listed and
// validated, one tried on the provider stand-in, deployed to ~/.agents/skills and undeployed,
// exported as a zip download, and an archive imported (one over 10 MB refused before upload).
// HOME is a temporary folder, set before the server starts, so deployments land there. Needs
// /usr/bin/chromium and a built studio (npm test builds it).
import { closeSync, existsSync, openSync, readFileSync, realpathSync, truncateSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Locator, Page } from 'playwright-core';
import yazl from 'yazl';
import { startProviderStandin, type ProviderStandin } from '../helpers/provider-standin.js';
import type { TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';
import { activateStandin, useStudio, TEST_TIMEOUT_MS, UI_TIMEOUT_MS } from './browser.js';

const home = tempDir('atelier-e2e-skills-home-');
const savedHome = process.env.HOME;
const HOME = realpathSync(home.dir);
process.env.HOME = HOME;

const API_KEY = 'sk-standin-e2e';
const BUILTIN = ['code-review', 'commit-message', 'debug-failing-test', 'release-notes', 'shell-script-hardening', 'write-adr'];
/** One byte over what POST /api/skills/import accepts. */
const TOO_LARGE_BYTES = 10 * 1024 * 1024 + 1;

const studio = useStudio();
let server: TestServer;
let standin: ProviderStandin;

/** A signed-in page on the Skills page, its list shown. */
async function skillsPage(): Promise<Page> {
  const page = await studio.signedInPage();
  await page.click('a[data-nav="skills"]');
  await page.locator('[data-testid="skill"][data-skill="commit-message"]').waitFor();
  return page;
}

function card(page: Page, name: string): Locator {
  return page.locator(`[data-testid="skill"][data-skill="${name}"]`);
}

/** A zip of `files` (path → content), as the import form takes it. */
async function zipOf(files: Record<string, string>): Promise<Buffer> {
  const zip = new yazl.ZipFile();
  for (const [name, content] of Object.entries(files)) zip.addBuffer(Buffer.from(content), name);
  zip.end();
  const chunks: Buffer[] = [];
  for await (const chunk of zip.outputStream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

beforeAll(async () => {
  server = studio.server;
  standin = await startProviderStandin({ apiKey: API_KEY, models: ['standin-small'] });
  await activateStandin(server, standin, API_KEY, ['standin-small']);
}, 60_000);


afterAll(async () => {
  await standin?.close();
  process.env.HOME = savedHome;
  home.remove();
});

describe('Skills in a browser', { timeout: TEST_TIMEOUT_MS }, () => {
  it('lists the built-in skills as valid, and Validate shows the full check', async () => {
    const page = await skillsPage();
    const names = await page.locator('[data-testid="skill"][data-source="builtin"]').evaluateAll((els) => els.map((e) => e.getAttribute('data-skill')));
    expect([...names].sort()).toEqual(BUILTIN);
    for (const name of BUILTIN) expect(await card(page, name).getAttribute('data-valid')).toBe('true');

    const commit = card(page, 'commit-message');
    expect(await commit.locator('[data-testid="skill-source"]').innerText()).toBe('built in');
    expect(await commit.locator('[data-testid="skill-deployments"]').count()).toBe(0);
    await commit.locator('[data-testid="validate-skill"]').click();
    const report = commit.locator('[data-testid="skill-validation"]');
    await report.waitFor();
    expect(await report.getAttribute('data-valid')).toBe('true');
    expect(await commit.locator('[data-testid="skill-issue"][data-severity="error"]').count()).toBe(0);
  });

  it('Test sends the sample prompt to the picked model and shows its answer', async () => {
    const page = await skillsPage();
    await page.locator('[data-testid="provider-select"]').waitFor();
    standin.script([{ text: ['feat(cli): add ', 'a --dry-run flag'], usage: { input_tokens: 321, output_tokens: 12 } }]);
    const commit = card(page, 'commit-message');
    await commit.locator('[data-testid="test-skill"]').click();
    const answer = commit.locator('[data-testid="skill-test-answer"]');
    await answer.waitFor();
    expect(await answer.innerText()).toBe('feat(cli): add a --dry-run flag');
    const result = await commit.locator('[data-testid="skill-test-result"]').innerText();
    expect(result).toContain('standin-small');
    expect(result).toContain("I've staged my changes.");

    // The skill's instructions went to the model with its sample request.
    const sent = JSON.stringify(standin.chatRequests().at(-1)!.body.messages);
    expect(sent).toContain('Conventional Commits');
    expect(sent).toContain("I've staged my changes.");
  });

  it('deploys commit-message to ~/.agents/skills, lists the deployment, and undeploy removes it', async () => {
    const page = await skillsPage();
    const commit = card(page, 'commit-message');
    const folder = join(HOME, '.agents', 'skills', 'commit-message');

    await commit.locator('[data-testid="deploy-target"]').selectOption('agents');
    await commit.locator('[data-testid="deploy-skill"]').click();
    const deployment = commit.locator('[data-testid="skill-deployment"][data-target="agents"]');
    await deployment.waitFor();
    expect(await deployment.getAttribute('data-state')).toBe('intact');
    expect(await deployment.locator('[data-testid="deployment-path"]').innerText()).toBe(folder);
    expect(readFileSync(join(folder, 'SKILL.md'), 'utf8')).toContain('name: commit-message');
    expect(existsSync(join(folder, 'scripts', 'staged-summary.sh'))).toBe(true);
    // Deploying where it already is says it deploys again.
    expect(await commit.locator('[data-testid="deploy-skill"]').innerText()).toContain('Deploy again');

    await deployment.locator('[data-testid="undeploy-skill"]').click();
    await deployment.locator('[data-testid="undeploy-skill-confirm"]').click();
    await deployment.waitFor({ state: 'detached' });
    expect(existsSync(folder)).toBe(false);
    expect(await commit.locator('[data-testid="skill-deployment"]').count()).toBe(0);
  });

  it('the project target asks for its folder before deploying', async () => {
    const page = await skillsPage();
    const review = card(page, 'code-review');
    await review.locator('[data-testid="deploy-target"]').selectOption('claude-project');
    await review.locator('[data-testid="deploy-skill"]').click();
    expect(await review.locator('.field-error').innerText()).toContain('project');
    expect(existsSync(join(HOME, '.claude'))).toBe(false);

    // A folder outside home is the server's to refuse: its message shows.
    await review.locator('[data-testid="deploy-project-dir"]').fill('/etc');
    await review.locator('[data-testid="deploy-skill"]').click();
    expect(await review.locator('[data-testid="deploy-error"]').innerText()).toContain('home directory');
    expect(await review.locator('[data-testid="skill-deployment"]').count()).toBe(0);
  });

  it('Export downloads the skill folder as a zip', async () => {
    const page = await skillsPage();
    const downloading = page.waitForEvent('download', { timeout: UI_TIMEOUT_MS });
    await card(page, 'write-adr').locator('[data-testid="export-skill"]').click();
    const download = await downloading;
    expect(download.suggestedFilename()).toBe('write-adr.zip');
    const bytes = readFileSync((await download.path())!);
    expect(bytes.subarray(0, 2).toString()).toBe('PK');
    expect(bytes.includes(Buffer.from('write-adr/SKILL.md'))).toBe(true);
  });

  it('imports an archive as a new skill, refuses one over 10 MB before sending it, and deletes the imported skill', async () => {
    const page = await skillsPage();
    const file = page.locator('[data-testid="skill-import-file"]');
    const submit = page.locator('[data-testid="skill-import-submit"]');

    // A sparse file on disk: the browser reads its size without the test shipping 10 MB to it.
    const huge = join(HOME, 'huge.zip');
    closeSync(openSync(huge, 'w'));
    truncateSync(huge, TOO_LARGE_BYTES);
    await file.setInputFiles(huge);
    expect(await page.locator('[data-testid="skill-import-error"]').innerText()).toContain('10 MiB');
    expect(await submit.isDisabled()).toBe(true);

    const zip = await zipOf({
      'e2e-hello/SKILL.md': '---\nname: e2e-hello\ndescription: Greets the user by name. Use when the user asks to be greeted.\nlicense: MIT\n---\n\n# Greet\n\nSay hello.\n',
    });
    await file.setInputFiles({ name: 'e2e-hello.zip', mimeType: 'application/zip', buffer: zip });
    expect(await page.locator('[data-testid="skill-import-error"]').count()).toBe(0);
    await submit.click();
    const imported = card(page, 'e2e-hello');
    await imported.waitFor();
    expect(await imported.getAttribute('data-source')).toBe('imported');
    expect(await imported.getAttribute('data-valid')).toBe('true');
    expect(await imported.innerText()).toContain('Greets the user by name.');

    // The same archive again is refused until "replace" is ticked.
    await file.setInputFiles({ name: 'e2e-hello.zip', mimeType: 'application/zip', buffer: zip });
    await submit.click();
    expect(await page.locator('[data-testid="skill-import-error"]').innerText()).toContain('e2e-hello');
    await page.locator('[data-testid="skill-import-overwrite"]').check();
    await submit.click();
    await page.locator('[data-testid="skill-import-error"]').waitFor({ state: 'detached' });

    await imported.locator('[data-testid="delete-skill"]').click();
    await imported.locator('[data-testid="delete-skill-confirm"]').click();
    await imported.waitFor({ state: 'detached' });
    const list = await (await server.fetch('/api/skills')).json();
    expect(list.skills.map((s: { name: string }) => s.name)).not.toContain('e2e-hello');
  });
});
