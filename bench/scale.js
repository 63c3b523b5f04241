// 5. scale: `wo validate` of a 500-worker plan (median of 5, 3 with --quick, after a warm-up), and
// a 300-worker run at concurrency 50 (tasks `sleep 0.2`): wall time, the runner's peak RSS and CPU
// (process.resourceUsage() at its exit, through bench/rusage.js), and every outcome `done`.
import { existsSync, readFileSync } from 'node:fs';
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
  removeDir,
  round,
  run,
  tempDir,
  woArgs,
  writePlan,
} from './lib.js';

export async function validate500({ quick, log }) {
  const reps = quick ? 3 : 5;
  const n = 500;
  const parent = tempDir('validate');
  const repo = makeRepo(parent);
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: 8,
      workers: features(n).map((feature, i) => ({
        feature,
        task: `Implement part ${i + 1} of the feature; run the tests.`,
      })),
    });
    const env = benchEnv();
    const times = [];
    let out = '';
    for (let i = 0; i <= reps; i++) {
      const r = await run('node', woArgs(['validate', plan]), { cwd: repo, env });
      out = r.stdout.trim();
      if (i > 0) times.push(r.ms);
    }
    log(`  validate ${n}: ${round(median(times))} ms (${out.split('\n')[0]})`);
    return {
      workers: n,
      reps,
      ms: times.map((x) => round(x, 1)),
      median_ms: round(median(times), 1),
      min_ms: round(Math.min(...times), 1),
      output: out.slice(0, 200),
    };
  } finally {
    removeDir(parent);
  }
}

export async function run300({ quick, log }) {
  const n = 300;
  const c = 50;
  const parent = tempDir('scale');
  const repo = makeRepo(parent);
  const socket = newSocket('scale');
  const rusageFile = join(parent, 'rusage.json');
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: c,
      timeout: '5m',
      workers: features(n).map((feature) => ({ feature, task: 'sleep 0.2' })),
    });
    const r = await run('node', woArgs(['run', plan], { rusage: true }), {
      cwd: repo,
      env: benchEnv({ WO_TMUX_SOCKET: socket, BENCH_RUSAGE_FILE: rusageFile }),
      check: false,
    });
    let report;
    try {
      report = lastReport(repo);
    } catch {
      throw new Error(`wo run exited ${r.code} without a report:\n${r.stderr.slice(-2000)}`);
    }
    const bad = checkOutcomes(report, n) ?? (r.code !== 0 ? `wo run exited ${r.code}` : undefined);
    const ru = existsSync(rusageFile) ? JSON.parse(readFileSync(rusageFile, 'utf8')) : undefined;
    log(`  run ${n} at C=${c}: ${round(r.ms)} ms, peak RSS ${ru ? round(ru.maxRSS / 1024, 1) : '?'} MB`);
    return {
      workers: n,
      c,
      quick_note: quick ? 'same size in --quick' : undefined,
      ms: round(r.ms),
      exit_code: r.code,
      peak_rss_mb: ru ? round(ru.maxRSS / 1024, 1) : undefined,
      cpu_s: ru ? round((ru.userCPUTime + ru.systemCPUTime) / 1e6, 2) : undefined,
      summary: report.summary,
      all_done: !bad,
      problem: bad,
    };
  } finally {
    killServer(socket);
    removeDir(parent);
  }
}
