#!/usr/bin/env node
/** The CLI: the command line → one command (start, url, open, stop, doctor, service); errors as one line. */
import { CliError, parseCommandLine, USAGE, type Command } from './cli/args.js';
import { RuntimeFileError } from './cli/runtime.js';

async function run(command: Command): Promise<number> {
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${(await import('./cli/package-info.js')).readPackageInfo().version}\n`);
      return 0;
    case 'start':
      await (await import('./cli/commands.js')).start(command.options);
      return 0;
    case 'url':
      (await import('./cli/commands.js')).url(command.options);
      return 0;
    case 'open':
      (await import('./cli/commands.js')).open(command.options);
      return 0;
    case 'stop':
      await (await import('./cli/commands.js')).stop(command.options);
      return 0;
    case 'doctor':
      return (await import('./cli/doctor.js')).doctor(command.options);
    case 'service':
      return (await import('./cli/service.js')).service(command.action, command.dryRun, command.options);
  }
}

async function main(): Promise<void> {
  try {
    const code = await run(parseCommandLine(process.argv.slice(2)));
    // A started server keeps the event loop alive; every other command ends here.
    if (code !== 0) process.exitCode = code;
  } catch (err) {
    if (err instanceof CliError || err instanceof RuntimeFileError) {
      const usage = err instanceof CliError && err.showUsage ? `\n\n${USAGE}` : '';
      process.stderr.write(`atelier: ${err.message}${usage}\n`);
      process.exit(err instanceof CliError ? err.exitCode : 1);
    }
    throw err;
  }
}

await main();
