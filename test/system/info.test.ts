import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { startTestServer } from '../helpers/server.js';
import { detectWsl, macOSName, parseOsRelease, readSystemInfo, systemInfo } from '../../server/src/system/info.js';

describe('system info', () => {
  it('GET /api/system reports what node:os and the process report, in the documented fields', async () => {
    const server = await startTestServer();
    try {
      const info = await (await server.fetch('/api/system')).json();
      expect(info).toEqual({
        os: process.platform,
        os_name: expect.any(String),
        os_release: os.release(),
        arch: process.arch,
        wsl: expect.any(Boolean),
        wsl_distro: info.wsl ? expect.any(String) : null,
        shell: expect.any(String),
        user: os.userInfo().username,
        home: os.homedir(),
        hostname: os.hostname(),
        node: process.version,
        cpu_model: os.cpus()[0]?.model.trim() || 'unknown',
        cpu_count: os.cpus().length,
        memory_total_bytes: os.totalmem(),
      });
      expect(info.os_name).not.toBe('');
    } finally {
      await server.close();
    }
  });

  it.runIf(process.platform === 'linux' && existsSync('/etc/os-release'))('names a Linux distribution by the PRETTY_NAME its os-release holds', () => {
    const pretty = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(readFileSync('/etc/os-release', 'utf8'))?.[1];
    expect(readSystemInfo().os_name).toBe(pretty || `Linux ${os.release()}`);
  });

  it.runIf(process.platform === 'linux')("says WSL exactly when the kernel is Microsoft's, and takes the distribution and the shell from the environment it is given", () => {
    const microsoftKernel = /microsoft/i.test(readFileSync('/proc/version', 'utf8'));
    expect(readSystemInfo({ SHELL: '/bin/bash' })).toMatchObject({ wsl: microsoftKernel, wsl_distro: null, shell: '/bin/bash' });
    expect(readSystemInfo({ SHELL: '/usr/bin/fish', WSL_DISTRO_NAME: 'Ubuntu-24.04' })).toMatchObject({ wsl: true, wsl_distro: 'Ubuntu-24.04', shell: '/usr/bin/fish' });
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
