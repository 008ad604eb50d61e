import { mkdirSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { TestServer } from '../helpers/server.js';
import { tempDir } from '../helpers/temp.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** The reference servers installed as devDependencies, run with this node (no network, no npx). */
export const FILESYSTEM_SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-filesystem', 'dist', 'index.js');
export const EVERYTHING_SERVER = join(ROOT, 'node_modules', '@modelcontextprotocol', 'server-everything', 'dist', 'index.js');

/**
 * A temporary home directory made the process's HOME (editor files, project_dir checks and npx's
 * cache all follow it). Call at the top of a test file, before starting a server; `restore` in afterAll.
 */
export function tempHome(): { dir: string; restore: () => void } {
  const temp = tempDir('atelier-mcp-home-');
  const saved = { HOME: process.env.HOME, XDG_CONFIG_HOME: process.env.XDG_CONFIG_HOME };
  const dir = realpathSync(temp.dir);
  process.env.HOME = dir;
  delete process.env.XDG_CONFIG_HOME;
  return {
    dir,
    restore: () => {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
      temp.remove();
    },
  };
}

/** A JSON request to the test server; the parsed answer with its status and raw text. */
export async function call(server: TestServer, method: string, path: string, body?: unknown): Promise<{ status: number; json: any; text: string }> {
  const res = await server.fetch(path, { method, ...(body !== undefined && { body: JSON.stringify(body) }) });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, text };
}

/** Creates the folders of `file`. */
export function mkdirFor(file: string): string {
  mkdirSync(dirname(file), { recursive: true });
  return file;
}

/** True while a process with this pid exists. */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Polls until `check` holds or `ms` pass; answers the last result. */
export async function eventually(check: () => boolean, ms = 5_000): Promise<boolean> {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    if (check()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return check();
}
