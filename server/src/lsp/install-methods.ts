import { join } from 'node:path';
import type { LspInstallPhase } from '../wire/lsp.js';
import type { ManagedPrefix } from './prefix.js';
import type { LspInstallSpec, LspServerSpec } from './registry.js';

/** An install spec Atelier can carry out (everything but `system`). */
export type InstallableSpec = Exclude<LspInstallSpec, { method: 'system' }>;
type InstallOf<M extends InstallableSpec['method']> = Extract<InstallableSpec, { method: M }>;

/** One command of an install, run in its own process group with the installer timeout. */
export interface InstallStep {
  phase: LspInstallPhase;
  file: string;
  args: string[];
  /** Added to the server's environment. */
  env?: Record<string, string>;
}

/** What the installer needs to know about one install method; the installer itself is generic. */
interface InstallMethod<M extends InstallableSpec['method']> {
  /** Executables that provide the toolchain, most preferred first; the first found runs the install. */
  toolchain: readonly string[];
  /** The commands to run, given the toolchain's absolute path. */
  steps(install: InstallOf<M>, server: LspServerSpec, prefix: ManagedPrefix, toolchain: string): InstallStep[];
  /** Where the binary lands, or null when the toolchain is asked instead (`rustup which`). */
  binDir(server: LspServerSpec, prefix: ManagedPrefix): string | null;
  /** What was asked for, as recorded in the manifest. */
  describe(install: InstallOf<M>): string;
}

const npm: InstallMethod<'npm'> = {
  toolchain: ['npm'],
  steps: (install, _server, prefix, toolchain) => [
    {
      phase: 'npm',
      file: toolchain,
      args: ['install', '--prefix', prefix.root, `${install.package}@${install.version}`, ...install.extra_packages, '--no-audit', '--no-fund'],
      env: { npm_config_update_notifier: 'false' },
    },
  ],
  binDir: (_server, prefix) => prefix.npmBin,
  describe: (install) => [`${install.package}@${install.version}`, ...install.extra_packages].join(' '),
};

const go: InstallMethod<'go'> = {
  toolchain: ['go'],
  steps: (install, _server, prefix, toolchain) => [{ phase: 'go', file: toolchain, args: ['install', install.module], env: { GOBIN: prefix.goBin } }],
  binDir: (_server, prefix) => prefix.goBin,
  describe: (install) => install.module,
};

const pip: InstallMethod<'pip'> = {
  toolchain: ['python3', 'python'],
  steps: (install, server, prefix, toolchain) => {
    const python = join(prefix.venvBin(server.id), process.platform === 'win32' ? 'python.exe' : 'python');
    const quiet = { PIP_DISABLE_PIP_VERSION_CHECK: '1', PYTHONUNBUFFERED: '1' };
    return [
      { phase: 'venv', file: toolchain, args: ['-m', 'venv', prefix.venv(server.id)], env: quiet },
      { phase: 'pip', file: python, args: ['-m', 'pip', 'install', install.package], env: quiet },
    ];
  },
  binDir: (server, prefix) => prefix.venvBin(server.id),
  describe: (install) => install.package,
};

const rustup: InstallMethod<'rustup'> = {
  toolchain: ['rustup'],
  steps: (install, _server, _prefix, toolchain) => [{ phase: 'rustup', file: toolchain, args: ['component', 'add', install.component] }],
  binDir: () => null,
  describe: (install) => `rustup component ${install.component}`,
};

/** Every method Atelier installs with. Method shorthand keeps each entry's narrower install type assignable. */
const METHODS: { [M in InstallableSpec['method']]: InstallMethod<M> } = { npm, go, pip, rustup };

/** The install method of an installable spec, typed for that spec's union. */
export function installMethod(install: InstallableSpec): InstallMethod<InstallableSpec['method']> {
  return METHODS[install.method] as InstallMethod<InstallableSpec['method']>;
}

/** True for specs Atelier can install (not `system`). */
export function isInstallable(install: LspInstallSpec): install is InstallableSpec {
  return install.method !== 'system';
}

/** The toolchain executables of a spec, or null for `system`. */
export function toolchainOf(install: LspInstallSpec): readonly string[] | null {
  return isInstallable(install) ? installMethod(install).toolchain : null;
}

/** The system package hint for this OS: Homebrew on macOS, winget/downloads on Windows, Debian elsewhere. */
export function systemHint(install: Extract<LspInstallSpec, { method: 'system' }>, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'darwin') return install.hints.macos;
  if (platform === 'win32') return install.hints.windows;
  return install.hints.debian;
}
