// 2. completion latency: from a worker writing `done` to its status file to the runner recording it.
// Each task stamps the wall clock (ns) into a file just before `echo done > .worker-status`, then
// keeps running (`sleep 5`), so the process exit cannot be what tells wo the worker finished. The
// runner's recording time is the worker's `finished_at` in report.json (ms precision).
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  checkOutcomes,
  features,
  killServer,
  lastReport,
  liveSessions,
  makeRepo,
  median,
  newSocket,
  percentile,
  readJson,
  removeDir,
  round,
  sleep,
  start,
  stop,
  tempDir,
  until,
  woArgs,
  writePlan,
} from './lib.js';

const STAMP = '.bench-done-ns';
const FINISH = `date +%s%N > ${STAMP}; echo done > .worker-status; sleep 5`;
const TASK = `sleep 0.3; ${FINISH}`;
/**
 * The quiet variant: every session blocks on a tmux channel until all are live, then they finish
 * 100 ms apart, so the runner has nothing else to do when each `done` arrives.
 */
const QUIET_TASK = `tmux -L "$WO_TMUX_SOCKET" wait-for go; sleep $(( (WO_INDEX + 5) / 10 )).$(( (WO_INDEX + 5) % 10 )); ${FINISH}`;

/**
 * Loaded (the figure of the target): N workers at concurrency C, rolling, so completions arrive
 * while the runner starts the next workers — as in a real run.
 */
export async function latency({ quick, log }) {
  return measure({ n: quick ? 40 : 100, c: quick ? 20 : 25, task: TASK, log, tag: 'latency' });
}

/** Quiet: the same measurement with nothing else going on in the runner (diagnostic). */
export async function latencyQuiet({ quick, log }) {
  return measure({
    n: quick ? 20 : 50,
    c: quick ? 20 : 50,
    task: QUIET_TASK,
    log,
    tag: 'latency-quiet',
    barrier: true,
  });
}

async function measure({ n, c, task, log, tag, barrier }) {
  const parent = tempDir(tag);
  const repo = makeRepo(parent);
  const socket = newSocket(tag);
  let wo;
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: c,
      workers: features(n).map((feature) => ({ feature, task })),
    });
    wo = start('node', woArgs(['run', plan]), { cwd: repo, env: benchEnv({ WO_TMUX_SOCKET: socket }) });
    if (barrier) {
      let exited = false;
      void wo.done.then(() => (exited = true)).catch(() => (exited = true));
      await until(() => exited || liveSessions(socket).length >= n, {
        timeoutMs: 120000,
        what: `${n} live sessions`,
      });
      await sleep(500);
      spawnSync('tmux', ['-L', socket, 'wait-for', '-S', 'go']);
    }
    const r = await wo.done;
    if (r.code !== 0)
      throw new Error(`wo run exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`);
    const report = lastReport(repo);
    const bad = checkOutcomes(report, n);
    if (bad) throw new Error(bad);
    const lat = [];
    const latMeta = [];
    for (const w of report.workers) {
      const ns = BigInt(readFileSync(join(w.worktree, STAMP), 'utf8').trim());
      const wroteMs = Number(ns / 1000n) / 1000;
      lat.push(Date.parse(w.finished_at) - wroteMs);
      try {
        const meta = readJson(join(w.worktree, '.worktree.json'));
        if (meta.worker?.finished_at) latMeta.push(Date.parse(meta.worker.finished_at) - wroteMs);
      } catch {
        /* metadata is a second opinion only */
      }
    }
    log(`  ${tag}: ${n} workers at C=${c} in ${round(r.ms)} ms`);
    return {
      n,
      c,
      task,
      source: 'report.json workers[].finished_at − timestamp written just before `echo done`',
      p50_ms: round(percentile(lat, 50), 1),
      p95_ms: round(percentile(lat, 95), 1),
      max_ms: round(Math.max(...lat), 1),
      min_ms: round(Math.min(...lat), 1),
      mean_ms: round(lat.reduce((a, b) => a + b, 0) / lat.length, 1),
      worktree_json: latMeta.length
        ? {
            p50_ms: round(percentile(latMeta, 50), 1),
            p95_ms: round(percentile(latMeta, 95), 1),
            max_ms: round(Math.max(...latMeta), 1),
          }
        : undefined,
      samples_ms: lat.map((x) => round(x, 1)),
      run_ms: round(r.ms),
      median_ms: round(median(lat), 1),
    };
  } finally {
    if (wo) await stop(wo);
    killServer(socket);
    removeDir(parent);
  }
}
