import { readFileSync } from 'node:fs';
import os from 'node:os';
import type { SystemInfo } from '../wire/system.js';

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** PRETTY_NAME (or NAME) of an os-release file, unquoted; null when absent. */
export function parseOsRelease(text: string): string | null {
  const fields = new Map<string, string>();
  for (const line of text.split('\n')) {
    const match = /^([A-Z_]+)=(.*)$/.exec(line.trim());
    if (match) fields.set(match[1]!, match[2]!.replace(/^(["'])(.*)\1$/, '$2'));
  }
  return fields.get('PRETTY_NAME') || fields.get('NAME') || null;
}

/**
 * The marketing name of macOS for a Darwin kernel release, without running sw_vers: Darwin 25
 * is macOS 26 (year numbering), 20–24 are macOS 11–15, before that 10.x. Only the major
 * version: Darwin minors do not map to macOS minors consistently.
 */
export function macOSName(darwinRelease: string): string {
  const major = Number(darwinRelease.split('.')[0]);
  if (major >= 25) return `macOS ${major + 1}`;
  if (major >= 20) return `macOS ${major - 9}`;
  if (major >= 5) return `macOS 10.${major - 4}`;
  return `Darwin ${darwinRelease}`;
}

/** True inside WSL: Windows sets WSL_DISTRO_NAME, and the kernel names itself "microsoft". */
export function detectWsl(env: NodeJS.ProcessEnv, procVersion: string | null): boolean {
  return Boolean(env.WSL_DISTRO_NAME) || /microsoft/i.test(procVersion ?? '');
}

/** A human name for the OS, e.g. "Debian GNU/Linux 12 (bookworm)", "macOS 14.4", "Windows 11 Pro". */
export function osName(platform: NodeJS.Platform = process.platform): string {
  if (platform === 'linux') {
    const text = readText('/etc/os-release') ?? readText('/usr/lib/os-release');
    return (text && parseOsRelease(text)) || `Linux ${os.release()}`;
  }
  if (platform === 'darwin') return macOSName(os.release());
  if (platform === 'win32') return os.version();
  return `${os.type()} ${os.release()}`;
}

function userName(env: NodeJS.ProcessEnv): string {
  try {
    return os.userInfo().username;
  } catch {
    // A uid with no passwd entry (some containers) makes userInfo throw.
    return env.USER ?? env.USERNAME ?? '';
  }
}

/** Reads the machine's description now; prefer `systemInfo()`, which reads it once. */
export function readSystemInfo(env: NodeJS.ProcessEnv = process.env): SystemInfo {
  const linux = process.platform === 'linux';
  const wsl = linux && detectWsl(env, readText('/proc/version'));
  const cpus = os.cpus();
  return {
    os: process.platform,
    os_name: osName(),
    os_release: os.release(),
    arch: process.arch,
    wsl,
    wsl_distro: wsl ? (env.WSL_DISTRO_NAME ?? null) : null,
    shell: (process.platform === 'win32' ? env.COMSPEC : env.SHELL) ?? env.SHELL ?? env.COMSPEC ?? '',
    user: userName(env),
    home: os.homedir(),
    hostname: os.hostname(),
    node: process.version,
    cpu_model: cpus[0]?.model.trim() || 'unknown',
    cpu_count: cpus.length,
    memory_total_bytes: os.totalmem(),
  };
}

let cached: SystemInfo | undefined;

/** The machine's description, read on first use and kept: none of it changes while we run. */
export function systemInfo(): SystemInfo {
  cached ??= readSystemInfo();
  return cached;
}
