// 3. idle cost: the runner's CPU while its workers do nothing but sleep. 20 workers `sleep D`
// (D = 60 s, 10 s with --quick) at concurrency 20; once every session is live the bench samples
// /proc/<pid>/stat of the `wo run` process (its own CPU plus that of the children it reaped, e.g.
// tmux polls) at the start and at the end of the idle window, and the tmux server's CPU likewise.
// Checkouts before the fork server was removed (measured with --wo) start git and tmux through a
// small shell, scripts/wo-exec.sh: that shell's CPU and the CPU of the calls it reaped count as the
// runner's, so old and new figures compare.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  benchEnv,
  checkOutcomes,
  features,
  hasProc,
  killServer,
  lastReport,
  liveSessions,
  makeRepo,
  newSocket,
  procCpu,
  procMem,
  childrenMatching,
  removeDir,
  round,
  sleep,
  start,
  stop,
  tempDir,
  tmuxServerPid,
  until,
  woArgs,
  writePlan,
} from './lib.js';

export async function idle({ quick, log }) {
  if (!hasProc()) throw new Error('needs /proc (Linux)');
  const n = 20;
  const seconds = quick ? 10 : 60;
  const parent = tempDir('idle');
  const repo = makeRepo(parent);
  const socket = newSocket('idle');
  const rusageFile = join(parent, 'rusage.json');
  let wo;
  try {
    const plan = writePlan(join(repo, 'workers.yaml'), {
      concurrency: n,
      timeout: `${seconds + 60}s`,
      workers: features(n).map((feature) => ({ feature, task: `sleep ${seconds}` })),
    });
    const t0 = Date.now();
    wo = start('node', woArgs(['run', plan], { rusage: true }), {
      cwd: repo,
      env: benchEnv({ WO_TMUX_SOCKET: socket, BENCH_RUSAGE_FILE: rusageFile }),
    });
    let exited = false;
    void wo.done.then(() => (exited = true)).catch(() => (exited = true));
    const pid = wo.child.pid;

    // The first session's start bounds the first completion: first + D.
    await until(() => exited || liveSessions(socket).length > 0, { everyMs: 20, what: 'the first session' });
    const firstSeen = Date.now();
    await until(() => exited || liveSessions(socket).length >= n, {
      timeoutMs: 60000,
      what: `${n} live sessions`,
    });
    if (exited) throw new Error(`wo run exited early:\n${(await wo.done).stderr.slice(-2000)}`);
    await sleep(1000); // let the start-up work settle
    const windowEnd = firstSeen + seconds * 1000 - 1500;
    const server = tmuxServerPid(socket);
    const [forks] = childrenMatching(pid, 'wo-exec.sh');
    const a = procCpu(pid);
    const fa = forks ? procCpu(forks) : undefined;
    const sa = server ? procCpu(server) : undefined;
    const ta = process.hrtime.bigint();
    const wait = windowEnd - Date.now();
    if (wait < 2000) throw new Error('the workers started too slowly to leave an idle window');
    await sleep(wait);
    const b = procCpu(pid);
    const fb = forks ? procCpu(forks) : undefined;
    const sb = server ? procCpu(server) : undefined;
    const tb = process.hrtime.bigint();
    const memAtEnd = procMem(pid);
    const windowS = Number(tb - ta) / 1e9;
    const forkS = fa && fb ? fb.self + fb.children - (fa.self + fa.children) : 0;
    const cpuS = b.self + b.children - (a.self + a.children) + forkS;
    const serverS = sa && sb ? sb.self - sa.self : undefined;

    const r = await wo.done;
    if (r.code !== 0) throw new Error(`wo run exited ${r.code}:\n${r.stderr.slice(-2000)}`);
    const bad = checkOutcomes(lastReport(repo), n);
    if (bad) throw new Error(bad);
    const ru = existsSync(rusageFile) ? JSON.parse(readFileSync(rusageFile, 'utf8')) : undefined;
    log(
      `  idle: window ${round(windowS, 1)} s, runner ${round(cpuS, 2)} CPU s, run took ${round((Date.now() - t0) / 1000, 1)} s`,
    );
    return {
      workers: n,
      sleep_s: seconds,
      window_s: round(windowS, 2),
      runner_cpu_s: round(cpuS, 3),
      runner_cpu_self_s: round(b.self - a.self, 3),
      runner_cpu_children_s: round(b.children - a.children, 3),
      fork_server_cpu_s: forks ? round(forkS, 3) : undefined,
      cpu_pct_of_one_core: round((cpuS / windowS) * 100, 2),
      cpu_s_per_minute: round((cpuS / windowS) * 60, 3),
      tmux_server_cpu_s: serverS === undefined ? undefined : round(serverS, 3),
      tmux_server_cpu_pct: serverS === undefined ? undefined : round((serverS / windowS) * 100, 2),
      rss_mb_at_window_end: memAtEnd ? round(memAtEnd.rssKb / 1024, 1) : undefined,
      peak_rss_mb: ru ? round(ru.maxRSS / 1024, 1) : memAtEnd ? round(memAtEnd.hwmKb / 1024, 1) : undefined,
      total_cpu_s: ru ? round((ru.userCPUTime + ru.systemCPUTime) / 1e6, 3) : undefined,
    };
  } finally {
    if (wo) await stop(wo);
    killServer(socket);
    removeDir(parent);
  }
}
