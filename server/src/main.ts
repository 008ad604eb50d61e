#!/usr/bin/env node
/** The CLI: the command line → one command (start, url, open, stop, doctor, service); errors as one line. */
import { CliError, parseCommandLine, USAGE, type Command } from './cli/args.js';
import { RuntimeFileError } from './cli/runtime.js';
import { setFlagsFromString } from 'node:v8';

/**
 * The server's young generation (each of V8's two semi-spaces) grows to at most this. V8's
 * default, 16 MB, let the start-up tool scan grow it to ~17 MB more than an idle server needs,
 * and V8 gave that back in only about half the runs: idle RSS was 75 or 92 MB by chance. At
 * 2 MB it is 75 MB in every run; terminal output lives in Buffers outside the young generation,
 * and the benchmarks showed no loss of throughput or echo latency.
 */
const V8_SEMI_SPACE_MB = 2;

/**
 * How much bytecode a function must run before V8 compiles it with TurboFan: 4× V8's default
 * (67 584). Each compile takes a helper thread for 1–14 ms, and around every flood V8 compiled
 * the functions that had only just crossed the budget, even after thousands of keystrokes; on a
 * 2-core machine those compiles took the core a keystroke's echo needed. Interleaved bench runs,
 * after-flood echo p99 against the minimal server: 1.57× and 2.57× at V8's default, 1.30× and
 * 1.09× at 4×; at 10× the keystroke path itself stayed unoptimized longer (echo p50 +15%).
 * Really hot code (the output path) is still optimized. Measured: docs/performance.md.
 */
const V8_INTERRUPT_BUDGET = 4 * 67_584;

async function run(command: Command): Promise<number> {
  switch (command.kind) {
    case 'help':
      process.stdout.write(`${USAGE}\n`);
      return 0;
    case 'version':
      process.stdout.write(`${(await import('./cli/package-info.js')).readPackageInfo().version}\n`);
      return 0;
    case 'start':
      // Young generation capped and TurboFan held back before the server loads: see V8_SEMI_SPACE_MB, V8_INTERRUPT_BUDGET.
      setFlagsFromString(`--max-semi-space-size=${V8_SEMI_SPACE_MB}`);
      setFlagsFromString(`--interrupt-budget=${V8_INTERRUPT_BUDGET}`);
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
