import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { detectWsl, macOSName, parseOsRelease, readSystemInfo, systemInfo } from '../../server/src/system/info.js';

describe('system info', () => {
  it('describes this machine with a non-empty OS name', () => {
    const info = readSystemInfo();
    expect(info.os).toBe(process.platform);
    expect(info.os_name.length).toBeGreaterThan(0);
    expect(info.node).toBe(process.version);
    expect(info.cpu_count).toBe(os.cpus().length);
    expect(info.memory_total_bytes).toBe(os.totalmem());
    expect(info.home).toBe(os.homedir());
  });

  it.runIf(process.platform === 'linux')('is not WSL on this machine', () => {
    expect(readSystemInfo()).toMatchObject({ wsl: false, wsl_distro: null });
  });

  it('reports WSL from its environment variable or from a Microsoft kernel', () => {
    expect(detectWsl({ WSL_DISTRO_NAME: 'Ubuntu' }, null)).toBe(true);
    expect(detectWsl({}, 'Linux version 5.15.90.1-microsoft-standard-WSL2 (gcc ...)')).toBe(true);
    expect(detectWsl({}, 'Linux version 6.1.0-18-amd64 (debian-kernel@lists.debian.org)')).toBe(false);
  });

  it('reads PRETTY_NAME from os-release, unquoted', () => {
    expect(parseOsRelease('NAME="Debian GNU/Linux"\nPRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\n')).toBe('Debian GNU/Linux 12 (bookworm)');
    expect(parseOsRelease('NAME=Alpine\n')).toBe('Alpine');
  });

  it('names macOS from the Darwin release', () => {
    expect(macOSName('19.6.0')).toBe('macOS 10.15');
    expect(macOSName('23.4.0')).toBe('macOS 14');
    expect(macOSName('25.0.0')).toBe('macOS 26');
  });

  it('reads the machine once and serves the same object after', () => {
    expect(systemInfo()).toBe(systemInfo());
  });
});
