// Shared helpers of the benchmarks: isolated environment, temporary repositories, timed processes,
// statistics, /proc readers, and the run-once clean-up of everything the bench created.
import { spawn, spawnSync, execFileSync } from 'node:child_process';
import {
  mkdtempSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
  existsSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

export const BENCH_DIR = dirname(fileURLToPath(import.meta.url));
/** The `wo` command of a checkout: package.json's bin entry (what `npm install -g` links). */
function entryOf(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const bin = typeof pkg.bin === 'string' ? pkg.bin : pkg.bin?.wo;
  const entry = join(root, bin ?? 'bin/wo.js');
  if (!existsSync(entry)) throw new Error(`${entry} (package.json bin) does not exist`);
  return entry;
}

/** The wo checkout measured: this one, or another given with --wo (to compare a change). */
export let ROOT = resolve(BENCH_DIR, '..');
export let WO = entryOf(ROOT);
export function setWoRoot(dir) {
  ROOT = resolve(dir);
  WO = entryOf(ROOT);
}
export const FLOOR = join(BENCH_DIR, 'floor.sh');
/** `node --import` hook that writes process.resourceUsage() to $BENCH_RUSAGE_FILE on exit. */
export const RUSAGE_HOOK = pathToFileURL(join(BENCH_DIR, 'rusage.js')).href;

// ---------------------------------------------------------------------------------------------
// Clean-up: every temporary folder, tmux server and child process the bench made, exactly once,
// on normal exit, on an exception, and on Ctrl-C / SIGTERM / SIGHUP.

const made = { dirs: new Set(), sockets: new Set(), children: new Set() };
let cleaned = false;

export function killServer(socket) {
  spawnSync('tmux', ['-L', socket, 'kill-server'], { stdio: 'ignore' });
  // tmux leaves the socket file behind, and now and then the lock file of a server's start; both
  // have this bench's own name, so remove them.
  const uid = process.getuid?.() ?? 0;
  const dir = join(process.env.TMUX_TMPDIR || '/tmp', `tmux-${uid}`);
  rmSync(join(dir, socket), { force: true });
  rmSync(join(dir, `${socket}.lock`), { force: true });
  made.sockets.delete(socket);
}

export function cleanupAll() {
  if (cleaned) return;
  cleaned = true;
  for (const child of made.children) {
    // Only processes this bench started, by their pid.
    try {
      process.kill(child.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  for (const s of [...made.sockets]) killServer(s);
  for (const d of made.dirs) rmSync(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
}

process.on('exit', cleanupAll);
for (const sig of ['SIGINT', 'SIGTERM', 'SIGHUP']) {
  process.on(sig, () => {
    process.stderr.write(`\nbench: ${sig}, cleaning up\n`);
    cleanupAll();
    process.exit(130);
  });
}

let socketCount = 0;
/** A tmux socket name of this bench (killed at clean-up). Never the default server. */
export function newSocket(tag) {
  const name = `wo-bench-${process.pid}-${tag}-${++socketCount}`;
  made.sockets.add(name);
  return name;
}

/** A temporary folder (in `base`, default the system's), removed at clean-up (or earlier with removeDir). */
export function tempDir(tag, base = tmpdir()) {
  const d = mkdtempSync(join(base, `wo-bench-${tag}-`));
  made.dirs.add(d);
  return d;
}

export function removeDir(d) {
  rmSync(d, { recursive: true, force: true, maxRetries: 20, retryDelay: 50 });
  made.dirs.delete(d);
}

// ---------------------------------------------------------------------------------------------
// Environment: nothing of the user's shell, tmux or git configuration leaks in.

let home;
export function benchEnv(extra = {}) {
  if (!home) home = tempDir('home');
  return {
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    HOME: home,
    SHELL: '/bin/sh',
    LANG: 'C.UTF-8',
    TERM: process.env.TERM && process.env.TERM !== 'dumb' ? process.env.TERM : 'xterm-256color',
    CI: '1',
    NO_COLOR: '1',
    GIT_AUTHOR_NAME: 'wo bench',
    GIT_AUTHOR_EMAIL: 'bench@wo.invalid',
    GIT_COMMITTER_NAME: 'wo bench',
    GIT_COMMITTER_EMAIL: 'bench@wo.invalid',
    GIT_CONFIG_NOSYSTEM: '1',
    ...extra,
  };
}

/** A fresh repository `<parent>/repo` with one commit on `main`; worktrees go beside it. */
export function makeRepo(parent) {
  const repo = join(parent, 'repo');
  mkdirSync(repo, { recursive: true });
  const env = benchEnv();
  const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: 'ignore' });
  git('init', '-q', '-b', 'main');
  writeFileSync(join(repo, 'README.md'), '# bench\n');
  git('add', 'README.md');
  git('commit', '-q', '-m', 'init');
  return repo;
}

/** Writes a plan; tasks are JSON strings, which YAML reads as double-quoted scalars. */
export function writePlan(file, { concurrency, timeout = '1m', workers }) {
  const lines = [
    'version: 1',
    `concurrency: ${concurrency}`,
    `defaults: {agent: shell, timeout: ${timeout}}`,
    'workers:',
    ...workers.map((w) => `  - {feature: ${w.feature}, task: ${JSON.stringify(w.task)}}`),
  ];
  writeFileSync(file, `${lines.join('\n')}\n`);
  return file;
}

export const features = (n, prefix = 'w') => Array.from({ length: n }, (_, i) => `${prefix}${i + 1}`);

// ---------------------------------------------------------------------------------------------
// Processes

/**
 * Starts a process in its own process group (so a terminal's Ctrl-C reaches the bench, which then
 * ends it), collecting its output. Returns { child, done } where done resolves with
 * { code, signal, ms, stdout, stderr }; ms is wall time from spawn to exit (hrtime).
 */
export function start(cmd, args, { cwd, env, input } = {}) {
  const t0 = process.hrtime.bigint();
  const child = spawn(cmd, args, { cwd, env, detached: true, stdio: ['pipe', 'pipe', 'pipe'] });
  made.children.add(child);
  const out = [];
  const err = [];
  child.stdout.on('data', (b) => out.push(b));
  child.stderr.on('data', (b) => err.push(b));
  child.stdin.on('error', () => undefined);
  child.stdin.end(input ?? '');
  const done = new Promise((res, rej) => {
    let ms;
    child.on('error', (e) => {
      made.children.delete(child);
      rej(e);
    });
    child.on('exit', () => {
      ms = Number(process.hrtime.bigint() - t0) / 1e6;
    });
    child.on('close', (code, signal) => {
      made.children.delete(child);
      res({
        code,
        signal,
        ms: ms ?? Number(process.hrtime.bigint() - t0) / 1e6,
        stdout: Buffer.concat(out).toString(),
        stderr: Buffer.concat(err).toString(),
      });
    });
  });
  return { child, done };
}

/** Runs a process to its end; throws with its output when it fails and `check` is set. */
export async function run(cmd, args, opts = {}) {
  const r = await start(cmd, args, opts).done;
  if (opts.check !== false && r.code !== 0) {
    const lines = `${r.stdout}\n${r.stderr}`.trim().split('\n');
    const first = lines.find((l) => /error|wo:|fatal/i.test(l)) ?? lines.at(-1) ?? '';
    const what =
      cmd === 'node' ? `wo ${args.find((a) => !a.startsWith('-') && !a.includes('/')) ?? ''}` : cmd;
    throw new Error(
      `${what} exited ${r.code ?? r.signal}: ${first.trim()}\n${[cmd, ...args].join(' ')}\n${lines.slice(-15).join('\n')}`,
    );
  }
  return r;
}

/** The `wo` entry of another built checkout (`--vs DIR`: measured beside this one). */
export function woEntryOf(dir) {
  return entryOf(resolve(dir));
}

/** `node [--import hook] bin/wo.cjs ...args` (`entry`: another checkout's, see woEntryOf) */
export function woArgs(args, { rusage = false, entry = WO } = {}) {
  return [...(rusage ? ['--import', RUSAGE_HOOK] : []), entry, ...args];
}

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Polls `fn` every `everyMs` until it returns a truthy value; throws after `timeoutMs`. */
export async function until(fn, { timeoutMs = 30000, everyMs = 100, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(everyMs);
  }
}

/** Names of the sessions on a tmux server whose pane is alive. */
export function liveSessions(socket) {
  const r = spawnSync('tmux', ['-L', socket, 'list-panes', '-a', '-F', '#{session_name} #{pane_dead}'], {
    encoding: 'utf8',
  });
  if (r.status !== 0) return [];
  return r.stdout
    .split('\n')
    .filter((l) => l.endsWith(' 0'))
    .map((l) => l.slice(0, -2));
}

export function tmuxServerPid(socket) {
  const r = spawnSync('tmux', ['-L', socket, 'display-message', '-p', '#{pid}'], { encoding: 'utf8' });
  const n = Number(r.stdout.trim());
  return r.status === 0 && n > 0 ? n : undefined;
}

// ---------------------------------------------------------------------------------------------
// /proc (Linux): CPU seconds and memory of a live process.

let clkTck;
function ticksPerSecond() {
  if (clkTck === undefined) {
    const r = spawnSync('getconf', ['CLK_TCK'], { encoding: 'utf8' });
    clkTck = Number(r.stdout.trim()) || 100;
  }
  return clkTck;
}

/** { self, children } CPU seconds (user+system) of a live process, or undefined. */
export function procCpu(pid) {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ": state=f[0]; utime=f[11] stime=f[12] cutime=f[13] cstime=f[14]
    const t = ticksPerSecond();
    return { self: (Number(f[11]) + Number(f[12])) / t, children: (Number(f[13]) + Number(f[14])) / t };
  } catch {
    return undefined;
  }
}

/** The pids of the live children of `pid` whose command line contains `needle`. */
export function childrenMatching(pid, needle) {
  const out = [];
  for (const d of readdirSync('/proc')) {
    if (!/^\d+$/.test(d)) continue;
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === pid && readFileSync(`/proc/${d}/cmdline`, 'utf8').includes(needle)) out.push(Number(d));
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/** { rssKb, hwmKb } of a live process, or undefined. */
export function procMem(pid) {
  try {
    const s = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (k) => Number(new RegExp(`^${k}:\\s+(\\d+)`, 'm').exec(s)?.[1] ?? NaN);
    return { rssKb: kb('VmRSS'), hwmKb: kb('VmHWM') };
  } catch {
    return undefined;
  }
}

export const hasProc = () => existsSync('/proc/self/stat');

// ---------------------------------------------------------------------------------------------
// Statistics

export function sorted(xs) {
  return [...xs].sort((a, b) => a - b);
}

export function median(xs) {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/** Nearest-rank percentile, p in (0, 100]. */
export function percentile(xs, p) {
  const s = sorted(xs);
  if (s.length === 0) return NaN;
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

export const round = (x, d = 0) => (Number.isFinite(x) ? Math.round(x * 10 ** d) / 10 ** d : x);

export function readJson(file) {
  return JSON.parse(readFileSync(file, 'utf8'));
}

/** The report.json of the last `wo run` in `repo` (via .wo/last-run.json or the newest run folder). */
export function lastReport(repo) {
  const runs = join(repo, '.wo', 'runs');
  const ids = existsSync(runs) ? readdirSync(runs).sort() : [];
  if (ids.length === 0) throw new Error(`no report under ${runs}`);
  return readJson(join(runs, ids[ids.length - 1], 'report.json'));
}

/** Checks that every worker of a report is `done`; returns a short description of the others. */
export function checkOutcomes(report, expected) {
  const bad = report.workers.filter((w) => w.outcome !== 'done');
  const n = report.workers.length;
  if (n !== expected) return `${n} workers in the report, expected ${expected}`;
  if (bad.length === 0) return undefined;
  const sample = bad
    .slice(0, 3)
    .map((w) => `${w.feature}: ${w.outcome}${w.reason ? ` (${w.reason})` : ''}`)
    .join('; ');
  return `${bad.length}/${n} not done: ${sample}`;
}

/** Ends a process started with start(): SIGINT (wo then ends its sessions), SIGKILL after graceMs. */
export async function stop(handle, graceMs = 8000) {
  const { child, done } = handle;
  if (child.exitCode !== null || child.signalCode !== null) return done.catch(() => undefined);
  try {
    child.kill('SIGINT');
  } catch {
    /* gone */
  }
  const timer = setTimeout(() => {
    try {
      child.kill('SIGKILL');
    } catch {
      /* gone */
    }
  }, graceMs);
  try {
    return await done.catch(() => undefined);
  } finally {
    clearTimeout(timer);
  }
}
