// 1. fan-out: `wo run` against the floor script on the same job (N workers of `sleep 0.2` at
// concurrency C, fresh repository each time, worktree creation included), pairs interleaved.
// `--task real` gives each worker real work instead (REAL_TASK: CPU, files and a git commit).
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FLOOR,
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

const SLEEP_TASK = 'sleep 0.2';

/**
 * Where the fan-out's repositories go: BENCH_FANOUT_DIR, else the temporary folder. On this
 * project's VM that is an ext4 without a journal, where every file created after many deletions
 * pays for a walk of recently deleted inodes (docs/performance.md): /dev/shm measures without it.
 */
const FANOUT_DIR = process.env.BENCH_FANOUT_DIR || undefined;

/**
 * Work like an agent's, in miniature: read the history, burn about 0.15 s of CPU (hashing 8 MB),
 * write a file and commit it in the worktree.
 */
export const REAL_TASK =
  'git log --oneline -3 >/dev/null && git status --porcelain >/dev/null && ' +
  'head -c 8000000 /dev/urandom | sha256sum > work.txt && git add work.txt && git commit -qm work';

async function floorOnce(n, c, task) {
  const parent = tempDir('floor', FANOUT_DIR);
  const repo = makeRepo(parent);
  const socket = newSocket('floor');
  try {
    const r = await run('sh', [FLOOR, String(n), String(c), task], {
      cwd: repo,
      env: benchEnv({ FLOOR_SOCKET: socket }),
    });
    return r.ms;
  } finally {
    killServer(socket);
    removeDir(parent);
  }
}

async function woOnce(n, c, task, entry) {
  const parent = tempDir('fanout', FANOUT_DIR);
  const repo = makeRepo(parent);
  const socket = newSocket('fanout');
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: c,
      workers: features(n).map((feature) => ({ feature, task })),
    });
    const r = await run('node', woArgs(['run', plan], { entry }), {
      cwd: repo,
      env: benchEnv({ WO_TMUX_SOCKET: socket }),
      check: false,
    });
    let report;
    try {
      report = lastReport(repo);
    } catch {
      throw new Error(
        `wo run exited ${r.code} without a report: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`,
      );
    }
    // The time still counts when a worker's outcome is wrong; the row says so.
    return { ms: r.ms, bad: checkOutcomes(report, n) };
  } finally {
    killServer(socket);
    removeDir(parent);
  }
}

/**
 * `sizes` ([{n, c}]) and `reps` replace the default jobs; `vs` (another built checkout's entry) runs
 * beside this one in every pair, so a change is judged under the same moments of load.
 */
export async function fanout({ quick, log, task: taskName, sizes: only, reps: repsOpt, vs }) {
  const task = taskName === 'real' ? REAL_TASK : SLEEP_TASK;
  const sizes = only
    ? only.map(({ n, c }) => ({ n, c, reps: repsOpt ?? (quick ? 3 : 5) }))
    : quick
      ? [
          { n: 40, c: 8, reps: 3 },
          { n: 200, c: 32, reps: 1 },
        ]
      : [
          { n: 40, c: 8, reps: 5 },
          { n: 200, c: 32, reps: 5 },
        ];
  const results = [];
  for (const { n, c, reps } of sizes) {
    const floor = [];
    const wo = [];
    const wrong = [];
    const other = [];
    let woError;
    for (let i = 0; i < reps; i++) {
      floor.push(await floorOnce(n, c, task));
      let otherNote = '';
      // The other checkout goes first in odd pairs, second in even ones.
      const runOther = async () => {
        if (!vs) return;
        const r = await woOnce(n, c, task, vs);
        other.push(r.ms);
        otherNote = `, vs ${round(r.ms)} ms${r.bad ? ` (${r.bad})` : ''}`;
      };
      if (i % 2 === 0) await runOther();
      let note = 'ERROR';
      if (!woError) {
        try {
          const r = await woOnce(n, c, task);
          wo.push(r.ms);
          note = `${round(r.ms)} ms`;
          if (r.bad) {
            wrong.push(r.bad);
            note += ` (${r.bad})`;
          }
        } catch (e) {
          woError = e.message; // keep measuring the floor; report the error in the row
        }
      }
      if (i % 2 === 1) await runOther();
      log(
        `  fan-out N=${n} C=${c} rep ${i + 1}/${reps}: floor ${round(floor.at(-1))} ms, wo ${note}${otherNote}`,
      );
    }
    const f = median(floor);
    const w = wo.length ? median(wo) : NaN;
    results.push({
      n,
      c,
      reps,
      task,
      ideal_ms: task === SLEEP_TASK ? Math.ceil(n / c) * 200 : undefined,
      floor_ms: floor.map((x) => round(x)),
      wo_ms: wo.map((x) => round(x)),
      floor_median_ms: round(f),
      wo_median_ms: round(w),
      ratio: round(w / f, 2),
      dir: FANOUT_DIR ?? tmpdir(),
      ...(vs && {
        vs,
        vs_ms: other.map((x) => round(x)),
        vs_median_ms: round(median(other)),
        vs_ratio: round(median(other) / f, 2),
      }),
      error: woError,
      wrong_outcomes: wrong,
    });
  }
  return results;
}
