// What every browser test shares: a real server serving the built studio, headless chromium,
// one fresh context per page, and the pages' uncaught errors collected for each test.
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, expect } from 'vitest';
import type { ProviderStandin } from '../helpers/provider-standin.js';
import { startTestServer, type TestServer } from '../helpers/server.js';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];
const STUDIO_DIR = fileURLToPath(new URL('../../web/dist', import.meta.url));
/** Browser start, first paint and a first tool scan all fit in this, even on a slow machine. */
export const UI_TIMEOUT_MS = 20_000;
export const TEST_TIMEOUT_MS = 60_000;

/** A server with the studio and a browser to drive it. */
export interface Studio {
  server: TestServer;
  /** A page in a fresh context (no shared cookies); its uncaught errors are recorded. */
  newPage(): Promise<Page>;
  /** A page signed in the way a user is: by opening the link Atelier printed (lands on the dashboard). */
  signedInPage(): Promise<Page>;
  /** Closes the pages opened since the last call and answers their uncaught errors. */
  endTest(): Promise<string[]>;
  close(): Promise<void>;
}

/** Starts the server and chromium; throws, with the fix, when chromium or the built studio is missing. */
export async function startStudio(): Promise<Studio> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: the browser tests need it (apt-get install -y --no-install-recommends chromium, or run scripts/system-deps.sh)`);
  }
  if (!existsSync(join(STUDIO_DIR, 'index.html'))) throw new Error(`${STUDIO_DIR} has no index.html: build the studio first (npm run build:web)`);
  const server = await startTestServer({ staticDir: STUDIO_DIR });
  let browser: Browser;
  try {
    // launch() runs on a fresh temporary profile.
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  } catch (err) {
    await server.close();
    throw err;
  }
  const contexts: BrowserContext[] = [];
  let pageErrors: string[] = [];

  const newPage = async (): Promise<Page> => {
    const context = await browser.newContext();
    contexts.push(context);
    const page = await context.newPage();
    page.setDefaultTimeout(UI_TIMEOUT_MS);
    page.on('pageerror', (err) => pageErrors.push(err.message));
    return page;
  };

  return {
    server,
    newPage,
    async signedInPage() {
      const page = await newPage();
      await page.goto(`${server.url}/?token=${server.token}`);
      await page.locator('[data-testid="tools-table"]').waitFor();
      return page;
    },
    async endTest() {
      await Promise.all(contexts.splice(0).map((c) => c.close()));
      const errors = pageErrors;
      pageErrors = [];
      return errors;
    },
    async close() {
      await browser.close();
      await server.close();
    },
  };
}

/**
 * The studio of one test file: started before its tests, checked for uncaught page errors after
 * each one, closed after all. Call at the top level of the file; use it from hooks and tests.
 */
export function useStudio(): Studio {
  let started: Studio | undefined;
  const studio = (): Studio => {
    if (!started) throw new Error('The studio starts in beforeAll; use it from hooks and tests');
    return started;
  };
  beforeAll(async () => {
    started = await startStudio();
  }, 60_000);
  afterEach(async () => {
    expect(await studio().endTest(), 'uncaught errors in the page').toEqual([]);
  });
  afterAll(async () => {
    await started?.close();
  });
  return {
    get server() {
      return studio().server;
    },
    newPage: () => studio().newPage(),
    signedInPage: () => studio().signedInPage(),
    endTest: () => studio().endTest(),
    close: () => studio().close(),
  };
}

/** Makes the stand-in the server's active provider ("standin", OpenAI format, its first model active). */
export async function activateStandin(server: TestServer, standin: ProviderStandin, apiKey: string, models: string[]): Promise<void> {
  const put = async (path: string, body: unknown): Promise<void> => {
    const response = await server.fetch(path, { method: 'PUT', body: JSON.stringify(body) });
    expect(response.status, `PUT ${path}`).toBe(200);
  };
  await put('/api/config/provider', { id: 'standin', name: 'Stand-in', type: 'openai', base_url: standin.openaiBase, api_key: apiKey, model: models[0], models });
  await put('/api/config/profile', { active_provider: 'standin', active_model: models[0] });
}

/** A signed-in page on the Studio, its transcript loaded. */
export async function studioPage(studio: Studio): Promise<Page> {
  const page = await studio.signedInPage();
  await page.click('a[data-nav="studio"]');
  await page.locator('[data-testid="chat-transcript"]').waitFor();
  await page.locator('[data-testid="provider-select"]').waitFor();
  return page;
}

/** Types a message into the Studio's composer and sends it. */
export async function send(page: Page, message: string): Promise<void> {
  await page.fill('[data-testid="chat-input"]', message);
  await page.press('[data-testid="chat-input"]', 'Enter');
}
