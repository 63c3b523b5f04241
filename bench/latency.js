// 2. completion latency: from a worker writing `done` to its status file to the runner recording it.
// Each task stamps the wall clock (ns) into a file just before `echo done > .worker-status`, then
// keeps running (`sleep 5`), so the process exit cannot be what tells wo the worker finished. The
// runner's recording time is the worker's `finished_at` in report.json (ms precision).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  checkOutcomes,
  features,
  killServer,
  lastReport,
  makeRepo,
  median,
  newSocket,
  percentile,
  readJson,
  removeDir,
  round,
  run,
  tempDir,
  woArgs,
  writePlan,
} from './lib.js';

const STAMP = '.bench-done-ns';
const TASK = `sleep 0.3; date +%s%N > ${STAMP}; echo done > .worker-status; sleep 5`;

export async function latency({ quick, log }) {
  const n = quick ? 40 : 100;
  const c = quick ? 20 : 25;
  const parent = tempDir('latency');
  const repo = makeRepo(parent);
  const socket = newSocket('latency');
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: c,
      workers: features(n).map((feature) => ({ feature, task: TASK })),
    });
    const r = await run('node', woArgs(['run', plan]), { cwd: repo, env: benchEnv({ WO_TMUX_SOCKET: socket }) });
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
    log(`  latency: ${n} workers at C=${c} in ${round(r.ms)} ms`);
    return {
      n,
      c,
      task: TASK,
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
    killServer(socket);
    removeDir(parent);
  }
}
