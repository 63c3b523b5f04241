// 4. start-up: `wo --version` and `wo status` (50 live workers) against `node -e 0`, interleaved,
// median of 10 runs each (5 with --quick) after one untimed warm-up run of each.
import { join } from 'node:path';
import {
  benchEnv,
  features,
  killServer,
  liveSessions,
  makeRepo,
  median,
  newSocket,
  removeDir,
  round,
  run,
  start,
  stop,
  tempDir,
  until,
  woArgs,
  writePlan,
} from './lib.js';

export async function startup({ quick, log }) {
  const reps = quick ? 5 : 10;
  const live = 50;
  const parent = tempDir('startup');
  const repo = makeRepo(parent);
  const socket = newSocket('startup');
  const env = benchEnv({ WO_TMUX_SOCKET: socket });
  let runner;
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: live,
      timeout: '10m',
      workers: features(live).map((feature) => ({ feature, task: 'sleep 300' })),
    });
    runner = start('node', woArgs(['run', plan]), { cwd: repo, env });
    let exited = false;
    void runner.done.then(() => (exited = true)).catch(() => (exited = true));
    await until(() => exited || liveSessions(socket).length >= live, {
      timeoutMs: 120000,
      what: `${live} live workers`,
    });
    if (exited) throw new Error(`wo run exited early:\n${(await runner.done).stderr.slice(-2000)}`);

    const cmds = {
      node: ['node', ['-e', '0']],
      version: ['node', woArgs(['--version'])],
      status: ['node', woArgs(['status'])],
    };
    const times = { node: [], version: [], status: [] };
    let statusLines = 0;
    let statusError;
    for (let i = 0; i <= reps; i++) {
      for (const [k, [cmd, args]] of Object.entries(cmds)) {
        if (k === 'status' && statusError) continue;
        const r = await run(cmd, args, { cwd: repo, env, check: false });
        if (r.code !== 0) {
          if (k === 'status') {
            statusError = `wo status exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3).join(' ')}`;
            continue;
          }
          throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
        }
        if (k === 'status')
          statusLines = r.stdout.split('\n').filter((l) => /\bwt?-?w\d+|\bw\d+\b/.test(l)).length;
        if (i > 0) times[k].push(r.ms); // i = 0 is the warm-up
      }
    }
    const m = Object.fromEntries(Object.entries(times).map(([k, v]) => [k, median(v)]));
    log(
      `  start-up: node -e 0 ${round(m.node)} ms, --version ${round(m.version)} ms, status ${round(m.status)} ms`,
    );
    return {
      reps,
      live_workers: live,
      node_e0_ms: times.node.map((x) => round(x, 1)),
      version_ms: times.version.map((x) => round(x, 1)),
      status_ms: times.status.map((x) => round(x, 1)),
      node_e0_median_ms: round(m.node, 1),
      version_median_ms: round(m.version, 1),
      status_median_ms: round(m.status, 1),
      version_ratio: round(m.version / m.node, 2),
      node_e0_min_ms: round(Math.min(...times.node), 1),
      version_min_ms: round(Math.min(...times.version), 1),
      status_min_ms: times.status.length ? round(Math.min(...times.status), 1) : undefined,
      status_workers_listed: statusLines,
      status_error: statusError,
    };
  } finally {
    if (runner) await stop(runner);
    killServer(socket);
    removeDir(parent);
  }
}
