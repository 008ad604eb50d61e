// The benchmark's own process is the instrument: its V8 helper threads (concurrent GC and
// TurboFan compiles, busiest right after it received a 40 MB flood) must not take a CPU that the
// peers' keystroke path (their server's thread, the kernel's PTY work, the shell) is woken onto.
// A scheduler trace showed exactly that: a woken thread of the keystroke path queued for up to one
// 4 ms balancing tick behind this process's helper while the other CPU idled. SCHED_IDLE threads
// run only on CPU time nobody else wants, and a CPU running only them counts as idle when the
// kernel places a woken thread. Linux only; never applied to a server under test.
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';

function cpuNsByThread() {
  const out = new Map();
  for (const tid of readdirSync('/proc/self/task')) {
    try {
      out.set(Number(tid), Number(readFileSync(`/proc/self/task/${tid}/schedstat`, 'utf8').split(' ')[0]));
    } catch {
      // the thread ended between the listing and the read
    }
  }
  return out;
}

/** Threads other than the main one that ran while this process did nothing but collect garbage. */
function threadsBusyDuringGc(gc) {
  const before = cpuNsByThread();
  let garbage = [];
  for (let round = 0; round < 4; round++) {
    for (let i = 0; i < 400_000; i++) garbage.push({ i, s: `x${i}` });
    gc();
    garbage = [];
  }
  gc();
  const after = cpuNsByThread();
  return new Set([...after].filter(([tid, ns]) => tid !== process.pid && ns > (before.get(tid) ?? ns)).map(([tid]) => tid));
}

/**
 * Finds this process's V8 helper threads (those that ran during two bursts of nothing but
 * garbage collection, which V8 parallelises over them) and sets them to SCHED_IDLE with
 * util-linux's `chrt`. Returns what it did, for the benchmark's report.
 */
export function idleOwnV8Helpers() {
  if (process.platform !== 'linux') return { applied: false, reason: 'not Linux' };
  setFlagsFromString('--expose-gc');
  const gc = runInNewContext('gc');
  const first = threadsBusyDuringGc(gc);
  const second = threadsBusyDuringGc(gc);
  const helpers = [...first].filter((tid) => second.has(tid)).sort((a, b) => a - b);
  if (helpers.length === 0) return { applied: false, reason: 'no thread of this process ran during garbage collection' };
  try {
    for (const tid of helpers) execFileSync('chrt', ['--idle', '--pid', '0', String(tid)], { stdio: 'pipe' });
  } catch (err) {
    return { applied: false, reason: `chrt failed: ${err.stderr?.toString().trim() || err.message}` };
  }
  return { applied: true, threads: helpers.length, tids: helpers };
}
