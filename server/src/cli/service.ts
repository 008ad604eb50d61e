/**
 * `atelier service install | uninstall | status`: Atelier started at login by the user's own
 * service manager (a systemd user unit on Linux, a launchd agent on macOS). The unit holds no
 * secret: the stable token lives in a 0600 environment file in the home, which the service
 * reads; `atelier url` finds the instance through its runtime file like any other.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { resolvePaths } from '../paths.js';
import { generateToken } from '../security/token.js';
import { CliError, type CommonOptions, type ServiceAction } from './args.js';
import { ensureHome } from './commands.js';
import { readRuntime, runtimeFilePath } from './runtime.js';

/** The service's name: atelier.service, and the launchd label. */
const UNIT_NAME = 'atelier.service';
const LAUNCHD_LABEL = 'dev.atelier.server';
/** After `install` starts the service, how long to wait for its runtime file before saying where to look. */
const SERVICE_READY_WAIT_MS = 15_000;

/** Everything a service definition is made of, resolved once. */
interface ServicePlan {
  /** Node, then the atelier entry script, then its flags. */
  command: string[];
  /** Absolute --home, when one was given (else the service uses the platform's directories). */
  home: string | undefined;
  /** KEY=VALUE lines with ATELIER_TOKEN, 0600, in the home. */
  envFile: string;
  /** Where the unit or plist goes. */
  file: string;
}

function plan(options: CommonOptions): ServicePlan {
  if (options.home && /[\n\r]/.test(options.home)) throw new CliError('a service cannot use a --home with a line break in it');
  // realpath: a global install's bin is a symlink into the package; the unit names the script itself.
  const entry = process.argv[1] ? realpathSync(resolve(process.argv[1])) : '';
  if (!entry) throw new CliError('cannot tell which script runs atelier (process.argv[1] is empty)');
  const home = options.home ? resolve(options.home) : undefined;
  const envFile = join(resolvePaths(home).configDir, 'service.env');
  const command = [process.execPath, entry, '--no-open', '--port', String(options.port)];
  if (options.host) command.push('--host', options.host);
  if (options.allowRemote) command.push('--allow-remote');
  const file =
    process.platform === 'darwin'
      ? join(homedir(), 'Library', 'LaunchAgents', `${LAUNCHD_LABEL}.plist`)
      : join(process.env.XDG_CONFIG_HOME || join(homedir(), '.config'), 'systemd', 'user', UNIT_NAME);
  return { command, home, envFile, file };
}

/** One systemd word: quoted when it must be, with `%` and `$` (specifiers, variables) escaped. */
function systemdWord(word: string): string {
  const escaped = word.replace(/%/g, '%%').replace(/\$/g, '$$$$');
  return /[\s"'\\;]/.test(escaped) ? `"${escaped.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"` : escaped;
}

/** The systemd user unit. */
export function systemdUnit(p: ServicePlan): string {
  const lines = [
    '[Unit]',
    'Description=Atelier, the local developer studio',
    '',
    '[Service]',
    'Type=simple',
    `ExecStart=${p.command.map(systemdWord).join(' ')}`,
    'Restart=on-failure',
    'RestartSec=2',
    // The token is read from this 0600 file so the unit, which anyone may read, holds no secret.
    // A path setting: the rest of the line, unquoted (quotes would be part of the path); only specifiers escape.
    `EnvironmentFile=${p.envFile.replace(/%/g, '%%')}`,
    ...(p.home ? [`Environment=${systemdWord(`ATELIER_HOME=${p.home}`)}`] : []),
    '',
    '[Install]',
    'WantedBy=default.target',
    '',
  ];
  return lines.join('\n');
}

const xml = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** The launchd agent: a shell reads the env file (launchd has no EnvironmentFile) and execs node. */
export function launchdPlist(p: ServicePlan): string {
  const script = 'set -a; . "$0"; set +a; exec "$@"';
  const args = ['/bin/sh', '-c', script, p.envFile, ...p.command];
  const env = p.home ? `\n  <key>EnvironmentVariables</key>\n  <dict><key>ATELIER_HOME</key><string>${xml(p.home)}</string></dict>` : '';
  return `<?xml version="1.0" encoding="UTF-8"?>
<!DOCTYPE plist PUBLIC "-//Apple//DTD PLIST 1.0//EN" "http://www.apple.com/DTDs/PropertyList-1.0.dtd">
<plist version="1.0">
<dict>
  <key>Label</key><string>${LAUNCHD_LABEL}</string>
  <key>ProgramArguments</key>
  <array>
${args.map((a) => `    <string>${xml(a)}</string>`).join('\n')}
  </array>${env}
  <key>RunAtLoad</key><true/>
  <key>KeepAlive</key><dict><key>SuccessfulExit</key><false/></dict>
  <key>StandardErrorPath</key><string>${xml(join(dirname(p.envFile), 'service.log'))}</string>
</dict>
</plist>
`;
}

/** Runs a service-manager command; a failure becomes a CliError with its own words. */
function run(cmd: string, args: string[]): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  if (r.error) throw new CliError(`${cmd} ${args.join(' ')}: ${r.error.message}`);
  if (r.status !== 0) {
    const said = `${r.stderr}${r.stdout}`.trim().split('\n')[0] ?? '';
    const hint = cmd === 'systemctl' ? ' (no user systemd instance? log in through a session, or `loginctl enable-linger $USER`)' : '';
    throw new CliError(`\`${cmd} ${args.join(' ')}\` failed with code ${r.status}: ${said}${hint}`);
  }
  return r.stdout;
}

function supported(): 'linux' | 'darwin' {
  if (process.platform === 'linux' || process.platform === 'darwin') return process.platform;
  throw new CliError(`\`atelier service\` is not supported on ${process.platform}: start \`atelier --no-open\` at login with your system's scheduler`);
}

const say = (line: string): boolean => process.stdout.write(`${line}\n`);
const note = (line: string): boolean => process.stderr.write(`atelier: ${line}\n`);

/** Creates the env file with a new token unless one exists: the token stays stable across reinstalls. */
function ensureTokenFile(file: string): void {
  if (existsSync(file) && /^ATELIER_TOKEN=\S{16,}$/m.test(readFileSync(file, 'utf8'))) return;
  writeFileSync(file, `ATELIER_TOKEN=${generateToken()}\n`, { mode: 0o600 });
}

async function waitForInstance(home: string | undefined): Promise<string | null> {
  const deadline = Date.now() + SERVICE_READY_WAIT_MS;
  while (Date.now() < deadline) {
    const found = readRuntime(runtimeFilePath(home));
    if (found.state === 'running') return found.info.sign_in_url;
    await new Promise((r) => setTimeout(r, 100));
  }
  return null;
}

async function install(p: ServicePlan, dryRun: boolean): Promise<number> {
  const platform = supported();
  const text = platform === 'linux' ? systemdUnit(p) : launchdPlist(p);
  if (p.command[1]!.includes('/_npx/')) note("this atelier runs from npx's cache, which npm may clean: `npm install -g atelier` first for a lasting service");
  if (dryRun) {
    // The file alone on stdout, so it can be piped to a file and verified; the rest on stderr.
    process.stdout.write(text);
    note(`dry run: would write ${p.file}, create ${p.envFile} (0600, ATELIER_TOKEN) if missing, then ${platform === 'linux' ? '`systemctl --user daemon-reload` and `systemctl --user enable --now atelier`' : `\`launchctl load -w ${p.file}\``}`);
    return 0;
  }
  ensureHome(p.home);
  ensureTokenFile(p.envFile);
  mkdirSync(dirname(p.file), { recursive: true });
  writeFileSync(p.file, text, { mode: 0o644 });
  say(`wrote ${p.file}`);
  if (platform === 'linux') {
    run('systemctl', ['--user', 'daemon-reload']);
    run('systemctl', ['--user', 'enable', '--now', 'atelier']);
  } else {
    run('launchctl', ['load', '-w', p.file]);
  }
  const url = await waitForInstance(p.home);
  if (!url) throw new CliError(`the service did not start within ${SERVICE_READY_WAIT_MS / 1000} s; see \`atelier service status\`${platform === 'linux' ? ' and `journalctl --user -u atelier`' : ''}`);
  say(`Atelier runs as a service: ${url}`);
  return 0;
}

function uninstall(p: ServicePlan, dryRun: boolean): number {
  const platform = supported();
  if (!existsSync(p.file)) throw new CliError(`no service is installed (no ${p.file})`);
  if (dryRun) {
    say(`dry run: would stop and disable the service, then remove ${p.file} and ${p.envFile}`);
    return 0;
  }
  if (platform === 'linux') {
    run('systemctl', ['--user', 'disable', '--now', 'atelier']);
    rmSync(p.file, { force: true });
    run('systemctl', ['--user', 'daemon-reload']);
  } else {
    run('launchctl', ['unload', '-w', p.file]);
    rmSync(p.file, { force: true });
  }
  rmSync(p.envFile, { force: true });
  say(`removed ${p.file}`);
  return 0;
}

function status(p: ServicePlan): number {
  const platform = supported();
  const installed = existsSync(p.file);
  say(`service file: ${installed ? p.file : `none (${p.file} does not exist)`}`);
  if (installed) {
    const [cmd, args] = platform === 'linux' ? ['systemctl', ['--user', 'is-active', 'atelier']] : ['launchctl', ['list', LAUNCHD_LABEL]];
    const r = spawnSync(cmd, args, { encoding: 'utf8' });
    say(`${cmd}: ${r.error ? r.error.message : `${r.stdout}${r.stderr}`.trim().split('\n')[0] || `exit ${r.status}`}`);
  }
  const found = readRuntime(runtimeFilePath(p.home));
  say(`instance: ${found.state === 'running' ? `pid ${found.info.pid} at ${found.info.url}` : 'not running'}`);
  return installed ? 0 : 1;
}

/** Dispatches one `atelier service` action; returns the exit code. */
export async function service(action: ServiceAction, dryRun: boolean, options: CommonOptions): Promise<number> {
  const p = plan(options);
  if (action === 'install') return install(p, dryRun);
  if (action === 'uninstall') return uninstall(p, dryRun);
  return status(p);
}
