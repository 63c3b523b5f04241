// 6. provision (issue 13): workers of a large repository, from `wo run` until every agent has started,
// and the disk each worker takes, against the floor (bench/provision-floor.sh) in interleaved pairs.
//
// The repository is generated once per bench process, outside the timed part (generateRepo): about
// 30,000 tracked files (~120 MB: ten packages packages/pkg-NN/{src,test}, docs, tools, assets with a
// few 1 MB binaries), packed as a clone's would be, plus an untracked, ignored node_modules of 20,000
// files. Each run starts 8 workers at concurrency 8; each worker's agent is a shell task that writes
// `date +%s%N` to a marker file and exits, and the figure is the time from spawning `wo run` (or the
// floor script) to the last marker. wo's workers have `link: [node_modules]`; the floor links it with
// `ln -s`. Between runs (untimed) every worktree, branch, tmux server and .wo folder is removed and
// .git/config and .git/info/exclude are put back as generated, so every run sees the same repository.
//
// A round is: full pair (wo, floor), then sparse pair (the same 8 workers, each `sparse:` on one
// package, about a tenth of the tree); the order within pairs alternates between rounds. wo's sparse
// figure is given only when wo acted on `sparse:` (the worktree holds one package, not ten).
//
// Where: BENCH_PROVISION_DIR, else /dev/shm when it is a tmpfs with room, else the system's temporary
// folder (baseDir); the row names the file system.
//
// BENCH_PROVISION_TRACE=DIR (diagnostic): every run writes git's trace2 events (GIT_TRACE2_EVENT) to
// DIR/<run>.trace2 and a per-run summary of the git commands run (bench/provision.js summarizeTrace2).
import { execFileSync, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  BENCH_DIR,
  benchEnv,
  checkOutcomes,
  features,
  killServer,
  lastReport,
  median,
  newSocket,
  procCpu,
  removeDir,
  round,
  start,
  stop,
  tempDir,
  until,
  woArgs,
} from './lib.js';

export const PROVISION_FLOOR = join(BENCH_DIR, 'provision-floor.sh');
const N = 8;
const C = 8;
const PACKAGES = 10;
const LINK = 'node_modules';
const pkgName = (i) => `packages/pkg-${String(i % PACKAGES).padStart(2, '0')}`;

// ---------------------------------------------------------------------------------------------
// The repository: generated once per process, reused by every run, removed at the end.

let cache;

/** A deterministic generator of code-like text: files are slices of one pool, each with its path. */
function textPool(chars) {
  let seed = 20261128;
  const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
  const words = (
    'const let function return import export from if else for while async await new class ' +
    'extends this value result error data item list map set get push length index key string ' +
    'number boolean null undefined true false type interface props state config options'
  ).split(' ');
  const parts = [];
  let n = 0;
  while (n < chars) {
    let line = '  '.repeat(1 + Math.floor(rnd() * 3));
    const k = 3 + Math.floor(rnd() * 10);
    for (let i = 0; i < k; i++)
      line +=
        words[Math.floor(rnd() * words.length)] + (rnd() < 0.2 ? `(${Math.floor(rnd() * 1000)}); ` : ' ');
    parts.push(line, '\n');
    n += line.length + 1;
  }
  return { text: parts.join(''), rnd };
}

/**
 * Writes the repository's files into `repo` (an empty folder) and commits them. Returns its figures.
 * Sizes: most files 0.2–10 KB (exponential, mean ~3.3 KB), 20 binary assets of 1 MB.
 */
function generateRepo(repo) {
  const t0 = Date.now();
  const { text, rnd } = textPool(4_000_000);
  const stats = { tracked_files: 0, tracked_bytes: 0, dep_files: 0, dep_bytes: 0 };
  const made = new Set();
  const dir = (d) => {
    if (!made.has(d)) mkdirSync(join(repo, d), { recursive: true });
    made.add(d);
  };
  const write = (path, size, kind = 'tracked') => {
    const off = Math.floor(rnd() * (text.length - size - 1));
    const slice = text.slice(off, off + size);
    // JSON files are valid JSON (tools, wo too, read package.json); the others are code-like text.
    const body = path.endsWith('.json')
      ? `${JSON.stringify({ name: path, description: slice }, null, 2)}\n`
      : `// ${path}\n${slice}`;
    writeFileSync(join(repo, path), body);
    stats[`${kind}_files`]++;
    stats[`${kind}_bytes`] += body.length;
  };
  const size = (mean) => Math.min(60_000, Math.floor(150 + mean * -Math.log(1 - rnd())));

  writeFileSync(join(repo, '.gitignore'), 'node_modules/\ndist/\n.env\n');
  write('README.md', 2000);
  write('package.json', 600);
  write('tsconfig.json', 400);
  for (let p = 0; p < PACKAGES; p++) {
    const pkg = pkgName(p);
    dir(pkg);
    write(`${pkg}/package.json`, 500);
    write(`${pkg}/README.md`, 1500);
    for (let a = 0; a < 12; a++)
      for (let b = 0; b < 10; b++) {
        const d = `${pkg}/src/mod${a}/part${b}`;
        dir(d);
        for (let f = 0; f < 20; f++) write(`${d}/file${f}.ts`, size(3100));
      }
    for (let a = 0; a < 10; a++) {
      const d = `${pkg}/test/t${a}`;
      dir(d);
      for (let f = 0; f < 30; f++) write(`${d}/case${f}.test.ts`, size(3100));
    }
  }
  for (let a = 0; a < 30; a++) {
    dir(`docs/section${a}`);
    for (let f = 0; f < 50; f++) write(`docs/section${a}/page${f}.md`, size(3100));
  }
  for (let a = 0; a < 20; a++) {
    dir(`tools/t${a}`);
    for (let f = 0; f < 50; f++) write(`tools/t${a}/script${f}.js`, size(3100));
  }
  for (let a = 0; a < 20; a++) {
    dir(`assets/a${a}`);
    for (let f = 0; f < 23; f++) write(`assets/a${a}/icon${f}.svg`, size(3100));
    writeFileSync(join(repo, `assets/a${a}/blob.bin`), randomBytes(1 << 20));
    stats.tracked_files++;
    stats.tracked_bytes += 1 << 20;
  }
  stats.tracked_files++; // .gitignore
  // The dependency folder: 400 packages of 50 small files, untracked and ignored.
  for (let d = 0; d < 400; d++) {
    const dep = `${LINK}/dep-${d}`;
    dir(`${dep}/lib`);
    write(`${dep}/package.json`, 300, 'dep');
    write(`${dep}/index.js`, size(1200), 'dep');
    for (let f = 0; f < 48; f++) write(`${dep}/lib/m${f}.js`, size(1200), 'dep');
  }
  stats.write_s = round((Date.now() - t0) / 1000, 1);

  const env = benchEnv();
  const git = (...args) => execFileSync('git', args, { cwd: repo, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const t1 = Date.now();
  git('init', '-q', '-b', 'main');
  git('config', 'gc.auto', '0');
  git('add', '-A');
  git('commit', '-q', '-m', 'a large repository');
  // Packed, as a clone's objects are (loose objects would make every checkout slower).
  git('repack', '-a', '-d', '-q');
  stats.git_s = round((Date.now() - t1) / 1000, 1);
  stats.pack_mb = round(duKb([join(repo, '.git', 'objects')]) / 1024, 1);
  stats.checkout_disk_mb = round((duKb([repo]) - duKb([join(repo, '.git'), join(repo, LINK)])) / 1024, 1);
  stats.dep_disk_mb = round(duKb([join(repo, LINK)]) / 1024, 1);
  stats.tracked_mb = round(stats.tracked_bytes / 2 ** 20, 1);
  stats.dep_mb = round(stats.dep_bytes / 2 ** 20, 1);
  stats.sparse_files = Number(
    execFileSync('sh', ['-c', `git ls-files -- '${pkgName(0)}' ':(top,glob)*' | wc -l`], { cwd: repo, env })
      .toString()
      .trim(),
  );
  return stats;
}

/**
 * Where the repository and its worktrees go: BENCH_PROVISION_DIR, else /dev/shm when it is a tmpfs
 * with 4 GB free, else the system's temporary folder. On a disk shared with other work, that work
 * decided the figures (see docs/performance.md, Provisioning): a RAM file system leaves wo's own
 * costs and git's CPU. BENCH_PROVISION_DIR=/tmp measures on the disk.
 */
function baseDir() {
  if (process.env.BENCH_PROVISION_DIR) return process.env.BENCH_PROVISION_DIR;
  const shm = '/dev/shm';
  if (fsType(shm) === 'tmpfs') {
    const r = spawnSync('df', ['-Pk', shm], { encoding: 'utf8' });
    const free = Number(r.stdout?.trim().split('\n').at(-1)?.split(/\s+/)[3]);
    if (free > 4 * 2 ** 20) return shm;
  }
  return tmpdir();
}

/** The file system type of a folder (ext4, tmpfs, btrfs, xfs…; findmnt, else `stat -f`), or unknown. */
function fsType(dir) {
  const m = spawnSync('findmnt', ['-n', '-o', 'FSTYPE', '-T', dir], { encoding: 'utf8' });
  const first = m.status === 0 ? m.stdout.trim().split('\n')[0] : '';
  if (first) return first;
  const r = spawnSync('stat', ['-f', '-c', '%T', dir], { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim() : 'unknown';
}

function theRepo(log) {
  if (cache) return cache;
  const parent = tempDir('provision', baseDir());
  const repo = join(parent, 'repo');
  mkdirSync(repo);
  log(`  provision: generating the repository in ${parent} (untimed)…`);
  const stats = generateRepo(repo);
  stats.dir = parent;
  stats.fs = fsType(parent);
  const pristine = {
    config: readFileSync(join(repo, '.git', 'config')),
    exclude: readOr(join(repo, '.git', 'info', 'exclude')),
  };
  cache = { parent, repo, stats, pristine, runs: 0 };
  log(
    `  provision: on ${stats.fs}: ${stats.tracked_files} tracked files (${stats.tracked_mb} MB; ${stats.checkout_disk_mb} MB on disk, pack ${stats.pack_mb} MB) + ${LINK} ${stats.dep_files} files (${stats.dep_disk_mb} MB on disk); sparse share ${stats.sparse_files} files; written in ${stats.write_s} s, git ${stats.git_s} s`,
  );
  return cache;
}

function dropRepo() {
  if (!cache) return;
  removeDir(cache.parent);
  cache = undefined;
}

function readOr(file) {
  try {
    return readFileSync(file);
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Measuring one run

/** Disk used by these paths in KB (du -s, symbolic links not followed; hard links counted each time). */
function duKb(paths) {
  const have = paths.filter((p) => existsSync(p));
  if (have.length === 0) return 0;
  const r = spawnSync('du', ['-s', '-k', '-l', '-P', '-c', ...have], { encoding: 'utf8' });
  const total = r.stdout.trim().split('\n').at(-1)?.split('\t')[0];
  return Number(total);
}

function git(repo, args, opts = {}) {
  return execFileSync('git', args, { cwd: repo, env: benchEnv(), encoding: 'utf8', ...opts });
}

/** The repository's worktrees other than the main checkout. */
function linkedWorktrees(repo) {
  return git(repo, ['worktree', 'list', '--porcelain'])
    .split('\n')
    .filter((l) => l.startsWith('worktree '))
    .map((l) => l.slice('worktree '.length))
    .filter((p) => p !== repo);
}

/** The per-worktree admin folder (.git/worktrees/<id>) of a linked worktree. */
function adminDir(worktree) {
  try {
    const m = /^gitdir: (.+)$/m.exec(readFileSync(join(worktree, '.git'), 'utf8'));
    return m?.[1]?.trim();
  } catch {
    return undefined;
  }
}

/** What the worktree has at `LINK`: a symbolic link, a folder (its KB), or nothing. */
function depKind(worktree) {
  const p = join(worktree, LINK);
  try {
    const st = lstatSync(p);
    if (st.isSymbolicLink()) return { kind: 'link', kb: 0 };
    return { kind: st.isDirectory() ? 'folder' : 'file', kb: duKb([p]) };
  } catch {
    return { kind: 'missing', kb: 0 };
  }
}

/** How many of the ten packages a worktree holds (10 for a full checkout, 1 for a sparse one). */
function packagesIn(worktree) {
  try {
    return readdirSync(join(worktree, 'packages')).length;
  } catch {
    return 0;
  }
}

/** The figures of the worktrees a run left: disk per worker, the dependency folder, sparseness. */
function worktreeFigures(repo) {
  const wts = linkedWorktrees(repo);
  const perWorker = wts.map((wt) => {
    const admin = adminDir(wt);
    return {
      worktree_kb: duKb([wt]),
      admin_kb: admin ? duKb([admin]) : 0,
      dep: depKind(wt),
      packages: packagesIn(wt),
    };
  });
  return {
    worktrees: wts.length,
    disk_kb: perWorker.map((w) => w.worktree_kb + w.admin_kb),
    admin_kb: perWorker.map((w) => w.admin_kb),
    dep: [...new Set(perWorker.map((w) => w.dep.kind))].join(','),
    dep_kb: perWorker.map((w) => w.dep.kb),
    packages: perWorker.map((w) => w.packages),
  };
}

/**
 * CPU seconds (user + system) of this process's waited-for descendants so far: the difference around
 * a run is the CPU of `wo run` or the floor and every git they waited for (not the tmux server's).
 */
const childCpu = () => procCpu(process.pid)?.children ?? NaN;

/** Epoch ms now, sub-millisecond (the same clock as `date +%s%N`). */
const nowMs = () => performance.timeOrigin + performance.now();

/** The agents' start times (epoch ms) read from MARKS/<name>, or undefined for a missing one. */
function readMarks(marks, names) {
  return names.map((name) => {
    const t = readOr(join(marks, name))?.toString().trim();
    return t && /^\d+$/.test(t) ? Number(BigInt(t) / 1000n) / 1000 : undefined;
  });
}

/** Waits for a process started with start(), at most `ms`; past that, stops it and throws. */
async function finish(handle, ms, what) {
  let timer;
  const late = new Promise((res) => (timer = setTimeout(() => res('late'), ms)));
  const r = await Promise.race([handle.done, late]);
  clearTimeout(timer);
  if (r === 'late') {
    await stop(handle);
    throw new Error(`${what} took over ${ms / 1000} s`);
  }
  return r;
}

/** Puts the repository back as generated: no worktree, branch, .wo folder; config and excludes. */
function resetRepo(c) {
  const { repo, parent, pristine } = c;
  for (const wt of linkedWorktrees(repo)) rmSync(wt, { recursive: true, force: true, maxRetries: 20 });
  for (const d of readdirSync(parent))
    if (d !== 'repo') rmSync(join(parent, d), { recursive: true, force: true, maxRetries: 20 });
  git(repo, ['worktree', 'prune']);
  const branches = git(repo, ['for-each-ref', '--format=%(refname:short)', 'refs/heads/'])
    .split('\n')
    .filter((b) => b && b !== 'main');
  if (branches.length) git(repo, ['branch', '-q', '-D', ...branches]);
  rmSync(join(repo, '.wo'), { recursive: true, force: true });
  rmSync(join(repo, 'workers.yaml'), { force: true });
  writeFileSync(join(repo, '.git', 'config'), pristine.config);
  const exclude = join(repo, '.git', 'info', 'exclude');
  if (pristine.exclude) writeFileSync(exclude, pristine.exclude);
  else rmSync(exclude, { force: true });
}

function traceEnv(c, label) {
  const dir = process.env.BENCH_PROVISION_TRACE;
  if (!dir) return {};
  mkdirSync(dir, { recursive: true });
  return { GIT_TRACE2_EVENT: join(dir, `${String(++c.runs).padStart(2, '0')}-${label}.trace2`) };
}

/** trace2's "time" (UTC, microseconds) as epoch ms. */
const traceTime = (t) => Date.parse(t.slice(0, 23) + 'Z') + Number(`0.${t.slice(23, -1) || '0'}`);

/**
 * The git processes of a GIT_TRACE2_EVENT file: start (ms after t0), duration, argv and worktree,
 * children (a process git started itself, such as worktree add's `reset --hard`) indented. Written
 * beside the trace as <file>.txt; returns the lines.
 */
export function summarizeTrace2(file, t0) {
  const procs = new Map();
  for (const line of readOr(file)?.toString().split('\n') ?? []) {
    if (!line) continue;
    let e;
    try {
      e = JSON.parse(line);
    } catch {
      continue;
    }
    const p = procs.get(e.sid) ?? { sid: e.sid };
    procs.set(e.sid, p);
    if (e.event === 'start') {
      p.start = traceTime(e.time) - t0;
      p.argv = e.argv;
    } else if (e.event === 'def_repo' || (e.event === 'def_param' && e.param === 'core.worktree'))
      p.repo ??= e.worktree;
    else if (e.event === 'exit' || e.event === 'atexit') p.ms = e.t_abs * 1000;
    else if (e.event === 'region_leave' && e.t_rel >= 0.05)
      (p.regions ??= []).push(`${e.category}/${e.label} ${round(e.t_rel * 1000)} ms`);
  }
  const list = [...procs.values()].filter((p) => p.argv).sort((a, b) => a.start - b.start);
  const lines = list.map((p) => {
    const depth = p.sid.split('/').length - 1;
    const args = p.argv
      .slice(1)
      .map((a) => a.replace(/^\/.*\/wo-bench-provision-[^/]+\//, '…/'))
      .join(' ');
    return `${'  '.repeat(depth)}+${round(p.start)} ms  ${round(p.ms ?? NaN)} ms  git ${args}${p.regions ? `  [${p.regions.join('; ')}]` : ''}`;
  });
  writeFileSync(`${file}.txt`, `${lines.join('\n')}\n`);
  return lines;
}

/** One `wo run` of the 8 workers (sparse: each on one package). */
async function woOnce(c, { sparse }) {
  const { repo, parent } = c;
  const marks = join(parent, 'marks');
  mkdirSync(marks, { recursive: true });
  const names = features(N, 'p');
  const plan = join(repo, 'workers.yaml');
  const lines = [
    'version: 1',
    `concurrency: ${C}`,
    `defaults: {agent: shell, timeout: 5m, link: [${LINK}]}`,
    'workers:',
    ...names.map(
      (f, i) =>
        `  - {feature: ${f}, task: ${JSON.stringify(`date +%s%N > '${marks}/${f}'`)}${sparse ? `, sparse: [${pkgName(i)}]` : ''}}`,
    ),
  ];
  writeFileSync(plan, `${lines.join('\n')}\n`);
  const socket = newSocket('prov-wo');
  const load = loadavg()[0];
  try {
    const trace = traceEnv(c, sparse ? 'wo-sparse' : 'wo');
    const cpu0 = childCpu();
    const t0 = nowMs();
    const handle = start('node', woArgs(['run', plan]), {
      cwd: repo,
      env: benchEnv({ WO_TMUX_SOCKET: socket, ...trace }),
    });
    const r = await finish(handle, 300_000, 'wo run');
    const cpu = childCpu() - cpu0;
    if (trace.GIT_TRACE2_EVENT) summarizeTrace2(trace.GIT_TRACE2_EVENT, t0);
    const starts = readMarks(marks, names);
    if (starts.some((t) => t === undefined)) {
      const tail = `${r.stdout}\n${r.stderr}`.trim().split('\n').slice(-5).join(' | ');
      throw new Error(
        `wo run exited ${r.code}; ${starts.filter((t) => t === undefined).length}/${N} agents never started: ${tail}`,
      );
    }
    let bad;
    try {
      bad = checkOutcomes(lastReport(repo), N);
    } catch (e) {
      bad = e.message;
    }
    return {
      kind: sparse ? 'wo-sparse' : 'wo',
      ms: Math.max(...starts) - t0,
      first_ms: Math.min(...starts) - t0,
      starts_ms: starts.map((t) => round(t - t0)),
      exit_ms: r.ms,
      cpu_s: cpu,
      outcomes: bad,
      load,
      ...worktreeFigures(repo),
    };
  } finally {
    killServer(socket);
    resetRepo(c);
  }
}

/** One run of the floor script (sparse: each worker on one package). */
async function floorOnce(c, { sparse, jobs }) {
  const { repo, parent } = c;
  const marks = join(parent, 'marks');
  const names = features(N, 'w');
  const socket = newSocket('prov-floor');
  const load = loadavg()[0];
  const trace = traceEnv(c, sparse ? 'floor-sparse' : 'floor');
  try {
    const cpu0 = childCpu();
    const t0 = nowMs();
    const handle = start('sh', [PROVISION_FLOOR, String(N), join(parent, 'floor-worktrees'), marks, LINK], {
      cwd: repo,
      env: benchEnv({
        FLOOR_SOCKET: socket,
        FLOOR_SPARSE: sparse ? names.map((_, i) => pkgName(i)).join(' ') : '',
        ...(jobs && { FLOOR_JOBS: String(jobs) }),
        ...trace,
      }),
    });
    const r = await finish(handle, 300_000, 'the floor');
    const cpu = childCpu() - cpu0;
    if (trace.GIT_TRACE2_EVENT) summarizeTrace2(trace.GIT_TRACE2_EVENT, t0);
    if (r.code !== 0) throw new Error(`the floor exited ${r.code}: ${r.stderr.trim().split('\n').slice(-3)}`);
    const starts = await until(
      () => {
        const s = readMarks(marks, names);
        return s.every((t) => t !== undefined) && s;
      },
      { timeoutMs: 60_000, everyMs: 20, what: "the floor's agents" },
    );
    return {
      kind: sparse ? 'floor-sparse' : 'floor',
      ms: Math.max(...starts) - t0,
      first_ms: Math.min(...starts) - t0,
      starts_ms: starts.map((t) => round(t - t0)),
      exit_ms: r.ms,
      cpu_s: cpu,
      load,
      ...worktreeFigures(repo),
    };
  } finally {
    killServer(socket);
    resetRepo(c);
  }
}

// ---------------------------------------------------------------------------------------------

const kb2mb = (kb) => round(kb / 1024, 1);

export async function provision({ quick, log }) {
  const rounds = quick ? 1 : 3;
  const c = theRepo(log);
  const runs = [];
  let woSparse = true; // measured while wo acts on `sparse:`
  let woSparseNote;
  try {
    resetRepo(c);
    for (let k = 0; k < rounds; k++) {
      const woFirst = k % 2 === 0;
      for (const sparse of [false, true]) {
        const pair = woFirst ? ['wo', 'floor'] : ['floor', 'wo'];
        const got = {};
        for (const who of pair) {
          if (who === 'wo' && sparse && !woSparse) continue;
          const r = who === 'wo' ? await woOnce(c, { sparse }) : await floorOnce(c, { sparse });
          r.round = k + 1;
          runs.push(r);
          got[who] = r;
          if (who === 'wo' && sparse && r.packages.some((p) => p !== 1)) {
            woSparse = false;
            woSparseNote = `wo checked out ${r.packages.join('/')} of the ${PACKAGES} packages in its sparse workers' worktrees`;
            r.not_sparse = true;
          }
        }
        const fmt = (r) =>
          r
            ? `${r.kind} ${round(r.ms)} ms (CPU ${round(r.cpu_s, 1)} s, ${kb2mb(median(r.disk_kb))} MB/worker, ${r.dep})`
            : '';
        log(
          `  provision round ${k + 1}/${rounds}${sparse ? ' sparse' : ''}: ${pair
            .map((w) => fmt(got[w]))
            .filter(Boolean)
            .join(
              ', ',
            )}${got.wo?.outcomes ? ` [wo: ${got.wo.outcomes}]` : ''}; load ${round(loadavg()[0], 2)}`,
        );
      }
    }
  } finally {
    try {
      if (cache) resetRepo(cache);
    } catch {
      /* removed below anyway */
    }
    dropRepo();
  }
  return summarize(c.stats, runs, rounds, woSparse, woSparseNote);
}

function summarize(stats, runs, rounds, woSparse, woSparseNote) {
  const of = (kind) => runs.filter((r) => r.kind === kind);
  const wo = of('wo');
  const floor = of('floor');
  const pairs = wo.map((w) => {
    const f = floor.find((x) => x.round === w.round);
    return {
      round: w.round,
      wo_ms: round(w.ms),
      floor_ms: round(f.ms),
      ratio: round(w.ms / f.ms, 2),
      wo_cpu_s: round(w.cpu_s, 2),
      floor_cpu_s: round(f.cpu_s, 2),
    };
  });
  const perWorker = (rs) => median(rs.flatMap((r) => r.disk_kb));
  const woSp = woSparse ? of('wo-sparse') : [];
  const floorSp = of('floor-sparse');
  const sparseRatio = (full, sp) =>
    sp.length ? round(median(full.map((r) => r.ms)) / median(sp.map((r) => r.ms)), 2) : undefined;
  return {
    n: N,
    c: C,
    rounds,
    repo: stats,
    wo_ms: wo.map((r) => round(r.ms)),
    floor_ms: floor.map((r) => round(r.ms)),
    wo_median_ms: round(median(wo.map((r) => r.ms))),
    floor_median_ms: round(median(floor.map((r) => r.ms))),
    pairs,
    ratio: round(median(pairs.map((p) => p.ratio)), 2),
    // CPU of the whole run (the process and what it waited for): more work, or the same work later?
    wo_cpu_median_s: round(median(wo.map((r) => r.cpu_s)), 2),
    floor_cpu_median_s: round(median(floor.map((r) => r.cpu_s)), 2),
    wrong_outcomes: wo.filter((r) => r.outcomes).map((r) => r.outcomes),
    disk: {
      wo_mb_per_worker: kb2mb(perWorker(wo)),
      floor_mb_per_worker: kb2mb(perWorker(floor)),
      wo_admin_kb: median(wo.flatMap((r) => r.admin_kb)),
      floor_admin_kb: median(floor.flatMap((r) => r.admin_kb)),
      wo_dep: [...new Set(wo.map((r) => r.dep))].join(','),
      wo_dep_mb_per_worker: kb2mb(median(wo.flatMap((r) => r.dep_kb))),
      dep_folder_mb: stats.dep_disk_mb,
    },
    sparse: {
      implemented: woSparse,
      note: woSparseNote,
      folder_share_files: stats.sparse_files,
      wo_sparse_ms: woSp.map((r) => round(r.ms)),
      wo_full_median_ms: round(median(wo.map((r) => r.ms))),
      wo_sparse_median_ms: woSp.length ? round(median(woSp.map((r) => r.ms))) : undefined,
      wo_speedup: sparseRatio(wo, woSp),
      wo_sparse_mb_per_worker: woSp.length ? kb2mb(perWorker(woSp)) : undefined,
      floor_sparse_ms: floorSp.map((r) => round(r.ms)),
      floor_sparse_median_ms: round(median(floorSp.map((r) => r.ms))),
      floor_speedup: sparseRatio(floor, floorSp),
      floor_sparse_mb_per_worker: kb2mb(perWorker(floorSp)),
    },
    runs: runs.map((r) => ({
      ...r,
      ms: round(r.ms),
      first_ms: round(r.first_ms),
      exit_ms: round(r.exit_ms),
      cpu_s: round(r.cpu_s, 2),
      load: round(r.load, 2),
    })),
  };
}

/** For experiments and profiling (bench/provision.js is otherwise run by bench/run.js). */
export const internals = { theRepo, dropRepo, resetRepo, woOnce, floorOnce, worktreeFigures };
