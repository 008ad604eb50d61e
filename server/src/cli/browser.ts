/** Opening a URL in the user's browser with the platform's opener. */
import { spawn } from 'node:child_process';
import { findExecutable } from '../system/which.js';

/** The opener command each platform ships (xdg-utils on Linux). */
const OPENERS: Partial<Record<NodeJS.Platform, { bin: string; args: (url: string) => string[] }>> = {
  darwin: { bin: 'open', args: (url) => [url] },
  win32: { bin: 'cmd', args: (url) => ['/c', 'start', '""', url] },
  linux: { bin: 'xdg-open', args: (url) => [url] },
};

/** The opener's name for this platform (xdg-open elsewhere too: the BSDs ship it). */
export function openerName(platform: NodeJS.Platform = process.platform): string {
  return (OPENERS[platform] ?? OPENERS.linux!).bin;
}

/** The opener's path, or null when it is not installed. */
export function findOpener(env: NodeJS.ProcessEnv = process.env): Promise<string | null> {
  return findExecutable([openerName()], env);
}

/** Whether a Linux session has a display a browser could open on. */
export function hasDisplay(env: NodeJS.ProcessEnv = process.env): boolean {
  return process.platform !== 'linux' || Boolean(env.DISPLAY || env.WAYLAND_DISPLAY);
}

/** Opens `url`, best effort: without a display or an opener the printed URL is enough. */
export function openBrowser(url: string): void {
  if (!hasDisplay()) return;
  const opener = OPENERS[process.platform] ?? OPENERS.linux!;
  const child = spawn(opener.bin, opener.args(url), { stdio: 'ignore', detached: true });
  child.on('error', () => undefined);
  child.unref();
}
