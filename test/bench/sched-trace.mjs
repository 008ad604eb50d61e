// BENCH_SCHED_TRACE=1 npm run bench -- terminal: records the kernel scheduler system-wide
// (`perf sched record`, on the same CLOCK_MONOTONIC as process.hrtime) while the peers are typed
// into, and says for each peer's slowest 1% of keystrokes which threads held the CPUs meanwhile and,
// for the longest wait of a thread on the keystroke's path, what held the CPU it waited for.
// Needs `perf` (Debian: linux-perf) and the right to trace the scheduler (root, or
// kernel.perf_event_paranoid ≤ -1). perf adds its own work to the machine, so a traced run's
// numbers are for reading the tail, not for the targets.
import { spawn } from 'node:child_process';
import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { percentile, round } from './stats.mjs';

/** Threads of `pid`, read while it runs, with their nice values (Atelier's mirror worker runs at 19). */
function threadsOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).map((tid) => {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      return { tid: Number(tid), nice: Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]) };
    });
  } catch {
    return [];
  }
}

/**
 * Starts recording when BENCH_SCHED_TRACE is set (null otherwise). `key(peer, t0Us, t1Us)` logs a
 * keystroke of the current `phase(name)`; `process(name, pid)` names a process whose threads are
 * read at `finish()`, which stops perf and returns the report; `abort()` only stops perf.
 */
export async function startSchedTrace(dir) {
  if (!process.env.BENCH_SCHED_TRACE) return null;
  const data = join(dir, 'sched.data');
  const perf = spawn('perf', ['sched', 'record', '-a', '-k', 'CLOCK_MONOTONIC', '-o', data], { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  perf.stderr.on('data', (c) => (err += c));
  const failed = new Promise((resolve) => perf.once('error', (e) => resolve(e.message)).once('exit', (code) => resolve(`perf exited with ${code}: ${err.trim()}`)));
  const early = await Promise.race([failed, new Promise((r) => setTimeout(() => r(null), 1000))]);
  if (early) throw new Error(`BENCH_SCHED_TRACE: could not record the scheduler (${early})`);
  const keys = [];
  const procs = new Map();
  let phase = 'warm-up';
  return {
    phase: (name) => (phase = name),
    key: (peer, t0Us, t1Us) => keys.push({ peer, phase, t0: t0Us, t1: t1Us }),
    process: (name, pid) => procs.set(name, { pid, helpers: [] }),
    /** Stops perf without a report (the run failed). */
    abort: () => perf.kill('SIGINT'),
    /** This process, the client of every peer; `tids` are its threads set to SCHED_IDLE (its V8 helpers), labelled apart. */
    ownHelpers: (tids) => procs.set('bench client', { pid: process.pid, helpers: tids }),
    async finish() {
      const label = new Map();
      for (const [name, { pid, helpers }] of procs) for (const { tid, nice } of threadsOf(pid)) label.set(tid, tid === pid ? `${name}: main thread` : helpers.includes(tid) ? `${name}: V8 helpers` : nice > 0 ? `${name}: threads at nice ${nice}` : `${name}: other threads`);
      perf.kill('SIGINT');
      await failed;
      const sched = await readSchedule(data);
      return report(keys, sched, label);
    },
  };
}

/** CPU runs (who ran on which CPU from when to when) and the moments threads became runnable. */
async function readSchedule(data) {
  const script = spawn('perf', ['script', '-i', data, '-F', 'cpu,tid,time,event,trace'], { stdio: ['ignore', 'pipe', 'ignore'] });
  const runs = [];
  const ready = []; // { tid, t }: woken, or preempted while runnable
  const current = new Map();
  for await (const line of createInterface({ input: script.stdout })) {
    const m = line.match(/^\s*\d+\s+\[(\d+)\]\s+([\d.]+):\s+sched:(sched_switch|sched_waking):\s+(.*)$/);
    if (!m) continue;
    const cpu = Number(m[1]);
    const t = Math.round(Number(m[2]) * 1e6);
    if (m[3] === 'sched_waking') {
      const w = m[4].match(/pid=(\d+)/);
      ready.push({ tid: Number(w[1]), t });
      continue;
    }
    const s = m[4].match(/prev_comm=(.*) prev_pid=(\d+) .*prev_state=(\S+) ==> next_comm=(.*) next_pid=(\d+)/);
    if (!s) continue;
    const prev = current.get(cpu);
    if (prev) runs.push({ ...prev, end: t });
    if (s[3].startsWith('R') && s[2] !== '0') ready.push({ tid: Number(s[2]), t });
    current.set(cpu, { cpu, tid: Number(s[5]), comm: s[4], start: t });
  }
  rmSync(data, { force: true });
  runs.sort((a, b) => a.start - b.start);
  ready.sort((a, b) => a.t - b.t);
  return { runs, ready };
}

/** First index in a sorted array whose `key(item)` is ≥ value. */
function lowerBound(items, value, key) {
  let lo = 0;
  let hi = items.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (key(items[mid]) < value) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

function report(keys, { runs, ready }, label) {
  const holder = (run) => label.get(run.tid) ?? (run.tid === 0 ? 'idle' : `other: ${run.comm.replace(/[/:-]\d+$/, '').replace(/\/.*$/, '')}`);
  const byTid = new Map();
  for (const r of runs) (byTid.get(r.tid) ?? byTid.set(r.tid, []).get(r.tid)).push(r);
  const longestRun = runs.reduce((a, r) => Math.max(a, r.end - r.start), 0);
  const during = (t0, t1, filter = () => true) => {
    const held = {};
    for (let i = lowerBound(runs, t0 - longestRun, (r) => r.start); i < runs.length && runs[i].start < t1; i++) {
      const r = runs[i];
      const us = Math.min(r.end, t1) - Math.max(r.start, t0);
      if (us > 0 && filter(r)) held[holder(r)] = (held[holder(r)] ?? 0) + us;
    }
    return held;
  };
  // A thread on a keystroke's path: the typed-into peer's and this client's main threads, shells, kernel workers.
  const onPath = (peer, tid, comm) => {
    const l = label.get(tid);
    return l === `${peer}: main thread` || l === 'bench client: main thread' || (!l && /^(bash|kworker)/.test(comm));
  };
  const commOf = (tid) => byTid.get(tid)?.[0]?.comm ?? '';
  const out = {};
  for (const group of new Set(keys.map((k) => `${k.peer} | ${k.phase}`))) {
    const peer = group.split(' | ')[0].replace(/ \(second terminal\)$/, '');
    const ks = keys.filter((k) => `${k.peer} | ${k.phase}` === group);
    const cut = percentile(ks.map((k) => k.t1 - k.t0), 99);
    const slow = ks.filter((k) => k.t1 - k.t0 >= cut);
    const held = {};
    const waits = {};
    for (const k of slow) {
      for (const [who, us] of Object.entries(during(k.t0, k.t1))) held[who] = (held[who] ?? 0) + us;
      let longest = null;
      for (let i = lowerBound(ready, k.t0, (w) => w.t); i < ready.length && ready[i].t < k.t1; i++) {
        const w = ready[i];
        if (!onPath(peer, w.tid, commOf(w.tid))) continue;
        const rs = byTid.get(w.tid) ?? [];
        const next = rs[lowerBound(rs, w.t, (r) => r.start)];
        if (next && (!longest || next.start - w.t > longest.us)) longest = { us: next.start - w.t, cpu: next.cpu, from: w.t, to: next.start };
      }
      let why = 'no thread on its path waited ≥ 1/3 of it for a CPU';
      if (longest && longest.us * 3 >= k.t1 - k.t0) {
        const cpuHeld = Object.entries(during(longest.from, longest.to, (r) => r.cpu === longest.cpu)).sort((a, b) => b[1] - a[1]);
        why = `waited for a CPU held by ${cpuHeld[0]?.[0] === 'idle' || !cpuHeld.length ? 'nothing (idle: the VM woke the CPU late)' : cpuHeld[0][0]}`;
      }
      waits[why] = (waits[why] ?? 0) + 1;
    }
    const sorted = (o, f) => Object.fromEntries(Object.entries(o).sort((a, b) => b[1] - a[1]).map(([k, v]) => [k, f(v)]));
    out[group] = {
      slowest: slow.length,
      from_ms: round(cut / 1000, 3),
      cpu_ms_per_key_by_holder: sorted(held, (us) => round(us / slow.length / 1000, 3)),
      longest_wait: sorted(waits, (n) => n),
    };
  }
  return out;
}
