/** The command line: flags, subcommands and usage, parsed into one Command before anything runs. */
import { parseArgs } from 'node:util';
import { DEFAULT_PORT } from '../limits.js';

/** Exit codes: a wrong command line is 2 (as getopt tools do), a failure at run time 1. */
export const EXIT_USAGE = 2;
export const EXIT_FAILURE = 1;

/** Refused or failed: printed as one line `atelier: <message>` and exits with `exitCode`. */
export class CliError extends Error {
  override name = 'CliError';
  constructor(
    message: string,
    readonly exitCode: number = EXIT_FAILURE,
    /** Print the usage after the message (a wrong command line). */
    readonly showUsage = false,
  ) {
    super(message);
  }
}

export const USAGE = `Usage: atelier [options]              start Atelier (or show the one already running)
       atelier url [--home DIR]         print the running instance's URL with its token
       atelier open [--home DIR]        open the running instance in the browser
       atelier stop [--home DIR]        stop the running instance
       atelier doctor [options]         check what Atelier needs, and say how to fix what fails
       atelier service install|uninstall|status [--dry-run] [options]
                                        run Atelier at login (systemd user unit / launchd agent)

Options:
  --port N        port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
  --host H        address to bind (default 127.0.0.1)
  --allow-remote  allow a non-loopback --host (Atelier runs commands: think twice)
  --home DIR      keep config, database, installs and the runtime file in DIR
  --no-open       do not open the browser
  --dry-run       service: print the file and commands instead of writing or running them
  --version       print the version
  --help          show this help

Environment:
  ATELIER_PORT       the port when --port is absent
  ATELIER_HOME       the home directory when --home is absent (default: XDG_CONFIG_HOME/atelier
                     and XDG_DATA_HOME/atelier on Linux, ~/Library/Application Support/atelier
                     on macOS, %APPDATA%\\atelier on Windows)
  ATELIER_TOKEN      the access token, at least 16 characters (default: a new one per launch)
  ATELIER_LOG_LEVEL  log level on stderr: fatal, error, warn, info (default), debug, trace`;

/** The service actions `atelier service` takes. */
export const SERVICE_ACTIONS = ['install', 'uninstall', 'status'] as const;
export type ServiceAction = (typeof SERVICE_ACTIONS)[number];

/** Flags shared by every command; absent ones fall back to the environment, then defaults. */
export interface CommonOptions {
  port: number;
  host: string | undefined;
  /** --home or ATELIER_HOME; undefined means the platform's directories. */
  home: string | undefined;
  open: boolean;
  allowRemote: boolean;
  /** Whether --port was given on the command line (a service records it; doctor checks it). */
  portGiven: boolean;
}

/** What the command line asks for. */
export type Command =
  | { kind: 'help' }
  | { kind: 'version' }
  | { kind: 'start' | 'url' | 'open' | 'stop' | 'doctor'; options: CommonOptions }
  | { kind: 'service'; action: ServiceAction; dryRun: boolean; options: CommonOptions };

const SUBCOMMANDS = ['url', 'open', 'stop', 'doctor', 'service'] as const;

/** Parses a port: 0..65535, else a one-line error. */
export function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = /^\d+$/.test(raw) ? Number(raw) : NaN;
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new CliError(`invalid port ${JSON.stringify(raw)}: expected a number 0..65535`, EXIT_USAGE);
  return port;
}

/** Turns argv (without node and the script) and the environment into a Command; throws CliError. */
export function parseCommandLine(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: [...argv],
      options: {
        port: { type: 'string' },
        host: { type: 'string' },
        home: { type: 'string' },
        'no-open': { type: 'boolean', default: false },
        'allow-remote': { type: 'boolean', default: false },
        'dry-run': { type: 'boolean', default: false },
        version: { type: 'boolean', default: false },
        help: { type: 'boolean', default: false },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (err) {
    throw new CliError((err as Error).message, EXIT_USAGE, true);
  }
  const { values, positionals } = parsed;
  if (values.help) return { kind: 'help' };
  if (values.version) return { kind: 'version' };

  const [sub, ...rest] = positionals;
  if (sub !== undefined && !(SUBCOMMANDS as readonly string[]).includes(sub)) throw new CliError(`unknown command ${JSON.stringify(sub)}`, EXIT_USAGE, true);
  const kind = (sub ?? 'start') as (typeof SUBCOMMANDS)[number] | 'start';
  if (kind !== 'service' && rest.length > 0) throw new CliError(`unexpected argument ${JSON.stringify(rest[0])}`, EXIT_USAGE, true);
  if (kind !== 'service' && values['dry-run']) throw new CliError('--dry-run applies only to `atelier service`', EXIT_USAGE, true);

  const home = values.home ?? (env.ATELIER_HOME || undefined);
  if (home === '') throw new CliError('--home needs a directory', EXIT_USAGE, true);
  const options: CommonOptions = {
    port: parsePort(values.port ?? env.ATELIER_PORT),
    host: values.host,
    home,
    open: !values['no-open'],
    allowRemote: values['allow-remote'],
    portGiven: values.port !== undefined || Boolean(env.ATELIER_PORT),
  };
  if (kind !== 'service') return { kind, options };

  const [action, extra] = rest;
  if (action === undefined) throw new CliError('`atelier service` needs an action: install, uninstall or status', EXIT_USAGE, true);
  if (!(SERVICE_ACTIONS as readonly string[]).includes(action)) throw new CliError(`unknown service action ${JSON.stringify(action)}`, EXIT_USAGE, true);
  if (extra !== undefined) throw new CliError(`unexpected argument ${JSON.stringify(extra)}`, EXIT_USAGE, true);
  return { kind, action: action as ServiceAction, dryRun: values['dry-run'], options };
}
