import { spawn } from 'node:child_process';

/**
 * Runs `count` real node processes that each load `setup` (module code: imports, values), then
 * wait at a barrier and run `act` (an expression) as close to the same instant as the machine
 * allows: each says it is ready, blocks reading its stdin, and all are released with one byte
 * once every one is ready. Each finds its place in spawn order in `process.env.AT_ONCE_INDEX`,
 * so processes can take different parts. Resolves to each process's `act` result (JSON), in
 * spawn order; rejects with its stderr when one fails.
 */
export async function atOnce(count: number, setup: string, act: string): Promise<unknown[]> {
  const code = `${setup}
import { readSync as __readSync } from 'node:fs';
process.stdout.write('ready\\n');
__readSync(0, Buffer.alloc(1));
const __result = await (async () => (${act}))();
process.stdout.write(JSON.stringify(__result ?? null) + '\\n');
`;
  const children = Array.from({ length: count }, (_, i) =>
    spawn(process.execPath, ['--input-type=module', '-e', code], { stdio: ['pipe', 'pipe', 'pipe'], env: { ...process.env, AT_ONCE_INDEX: String(i) } }),
  );
  const results = children.map(
    (child) =>
      new Promise<unknown>((resolve, reject) => {
        let out = '';
        let err = '';
        child.stdout.on('data', (d: Buffer) => (out += d));
        child.stderr.on('data', (d: Buffer) => (err += d));
        // 'close', not 'exit': stdout is then read to its end.
        child.on('close', (code) => {
          const last = out.trim().split('\n').at(-1) ?? '';
          if (code === 0 && last !== 'ready') resolve(JSON.parse(last));
          else reject(new Error(`a process exited ${code}: ${err.trim()}`));
        });
      }),
  );
  const ready = children.map(
    (child) =>
      new Promise<void>((resolve) => {
        const onData = (d: Buffer): void => {
          if (d.toString().includes('ready')) {
            child.stdout.off('data', onData);
            resolve();
          }
        };
        child.stdout.on('data', onData);
      }),
  );
  try {
    // A process that dies before the barrier rejects its result: stop waiting for the others.
    await Promise.race([Promise.all(ready), Promise.all(results)]);
  } catch (err) {
    for (const child of children) child.kill('SIGKILL');
    throw err;
  }
  for (const child of children) child.stdin.end('g');
  return Promise.all(results);
}
