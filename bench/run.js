// `npm run bench`: runs the benchmarks in one process tree and prints a table of figures beside the
// targets of issue 5; everything also goes to bench/results.json. See docs/performance.md.
//
//   node bench/run.js [--quick] [--only fanout,latency,idle,startup,scale,provision] [--task sleep|real]
//                     [--out FILE] [--wo DIR] [--vs DIR] [--sizes 40x8,200x32] [--reps N]
//
// --task real makes the fan-out workers do real work (bench/fanout.js REAL_TASK) instead of sleep 0.2.
// --wo DIR measures the wo checkout in DIR (built) instead of this one, e.g. to judge a change.
// --vs DIR runs a second built checkout in every fan-out pair too (floor, wo, vs), so that both
// meet the same moments of load; --sizes and --reps choose the fan-out jobs.
// Needs only node, git and tmux (no hyperfine). Every temporary repository, worktree, tmux server
// (own -L sockets, never the default server) and child process is removed at the end, also on
// Ctrl-C or failure.
import { spawnSync } from 'node:child_process';
import { renameSync, writeFileSync } from 'node:fs';
import { cpus, loadavg, totalmem, release } from 'node:os';
import { join } from 'node:path';
import { BENCH_DIR, ROOT, WO, cleanupAll, round, setWoRoot, woEntryOf } from './lib.js';
import { fanout } from './fanout.js';
import { latency, latencyQuiet } from './latency.js';
import { idle } from './idle.js';
import { startup } from './startup.js';
import { run300, validate500 } from './scale.js';
import { provision } from './provision.js';

const ALL = ['fanout', 'latency', 'idle', 'startup', 'scale', 'provision'];

function parseArgs(argv) {
  const o = { quick: false, only: ALL, out: join(BENCH_DIR, 'results.json'), task: 'sleep' };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--quick') o.quick = true;
    else if (a === '--only' || a.startsWith('--only=')) {
      const v = a.includes('=') ? a.slice(7) : argv[++i];
      o.only = (v ?? '')
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const bad = o.only.filter((s) => !ALL.includes(s));
      if (bad.length || o.only.length === 0)
        usage(`--only takes a comma-separated list of ${ALL.join(', ')}`);
    } else if (a === '--task') {
      o.task = argv[++i];
      if (!['sleep', 'real'].includes(o.task)) usage('--task takes sleep or real');
    } else if (a === '--out') o.out = argv[++i];
    else if (a === '--wo') o.wo = argv[++i];
    else if (a === '--vs') o.vs = argv[++i];
    else if (a === '--sizes') {
      o.sizes = (argv[++i] ?? '').split(',').map((x) => {
        const m = /^(\d+)x(\d+)$/.exec(x.trim());
        if (!m) usage('--sizes takes NxC[,NxC…], e.g. 40x8');
        return { n: Number(m[1]), c: Number(m[2]) };
      });
    } else if (a === '--reps') {
      o.reps = Number(argv[++i]);
      if (!Number.isInteger(o.reps) || o.reps < 1) usage('--reps takes a whole number >= 1');
    } else if (a === '-h' || a === '--help') usage();
    else usage(`unknown argument ${a}`);
  }
  return o;
}

function usage(msg) {
  if (msg) process.stderr.write(`bench: ${msg}\n`);
  process.stderr.write(
    'usage: node bench/run.js [--quick] [--only fanout,latency,idle,startup,scale,provision] [--task sleep|real] [--out FILE] [--wo DIR] [--vs DIR] [--sizes NxC,…] [--reps N]\n' +
      '  --quick      fewer repetitions and a 10 s idle window (about 2 minutes in all)\n' +
      '  --only LIST  run only these benchmarks\n' +
      '  --task real  fan-out workers do real work (CPU, files, a git commit) instead of sleep 0.2\n' +
      '  --out FILE   write the results there instead of bench/results.json\n' +
      '  --wo DIR     measure the (built) wo checkout in DIR instead of this one\n' +
      '  --vs DIR     also run the (built) checkout in DIR in every fan-out pair, to compare\n' +
      '  --sizes L    fan-out jobs as NxC (workers x concurrency), e.g. 40x8\n' +
      '  --reps N     pairs per fan-out job\n',
  );
  process.exit(msg ? 2 : 0);
}

const ver = (cmd, args) => {
  const r = spawnSync(cmd, args, { encoding: 'utf8' });
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : `unavailable (${cmd})`;
};

function machine() {
  const c = cpus();
  return {
    cpus: c.length,
    cpu_model: c[0]?.model ?? 'unknown',
    memory_gb: round(totalmem() / 2 ** 30, 1),
    os: `${process.platform} ${release()}`,
    node: process.version,
    git: ver('git', ['--version']),
    tmux: ver('tmux', ['-V']),
    wo_commit: ver('git', ['-C', ROOT, 'rev-parse', '--short', 'HEAD']),
    wo_tree_dirty:
      spawnSync('git', ['-C', ROOT, 'status', '--porcelain', '--', 'src', 'bin', 'scripts'], {
        encoding: 'utf8',
      }).stdout?.trim() !== '',
    loadavg_at_start: loadavg().map((x) => round(x, 2)),
  };
}

// ---------------------------------------------------------------------------------------------
// Rows: figure, target, verdict.

const rows = [];
const s = (ms) => `${round(ms / 1000, 2)} s`;
const verdict = (ok) => (ok === undefined ? '' : ok ? 'PASS' : 'MISS');

function row(name, figure, target, ok) {
  const r = { name, figure, target, result: verdict(ok) };
  rows.push(r);
  process.stdout.write(`${fmtRow(r)}\n`);
}

const WIDTHS = [30, 52, 22, 6];
const pad = (t, w) => (t.length >= w ? t : t + ' '.repeat(w - t.length));
function fmtRow(r) {
  return [r.name, r.figure, r.target, r.result]
    .map((t, i) => pad(t, WIDTHS[i]))
    .join(' │ ')
    .trimEnd();
}

function errorRow(name, e) {
  const msg = (e?.message ?? String(e)).split('\n');
  row(name, `ERROR: ${msg[0].slice(0, 120)}`, '', false);
  if (msg.length > 1) process.stderr.write(`${msg.slice(1).join('\n')}\n`);
}

const benches = {
  async fanout(opts, results) {
    const list = await fanout(opts);
    results.fanout = list;
    for (const f of list) {
      const name = `fan-out N=${f.n} C=${f.c}${opts.task === 'real' ? ' (real work)' : ''}`;
      if (f.error && !f.wo_ms.length) {
        row(
          `${name} floor`,
          `${s(f.floor_median_ms)} (median of ${f.reps}${f.ideal_ms ? `; ideal ${s(f.ideal_ms)}` : ''})`,
          '',
          undefined,
        );
        errorRow(`${name} wo`, new Error(f.error));
        continue;
      }
      row(
        name,
        `wo ${s(f.wo_median_ms)} / floor ${s(f.floor_median_ms)} = ${f.ratio}× (n=${f.wo_ms.length})`,
        '≤ 1.35× floor',
        f.ratio <= 1.35,
      );
      if (f.vs)
        row(
          `  same, --vs checkout`,
          `vs ${s(f.vs_median_ms)} / floor ${s(f.floor_median_ms)} = ${f.vs_ratio}× (n=${f.vs_ms.length})`,
          '(comparison)',
          undefined,
        );
      if (f.error) errorRow(`${name} wo (later reps)`, new Error(f.error));
      if (f.wrong_outcomes.length)
        row(
          `${name} outcomes`,
          `${f.wrong_outcomes.length}/${f.wo_ms.length} runs had workers not done: ${f.wrong_outcomes[0]}`,
          'all done',
          false,
        );
    }
  },
  async latency(opts, results) {
    const l = await latency(opts);
    results.latency = l;
    row(
      `completion latency (${l.n} workers)`,
      `p50 ${l.p50_ms} ms, p95 ${l.p95_ms} ms, max ${l.max_ms} ms`,
      'p95 ≤ 25 ms',
      l.p95_ms <= 25,
    );
    const q = await latencyQuiet(opts);
    results.latency_quiet = q;
    row(
      `  same, runner otherwise idle`,
      `p50 ${q.p50_ms} ms, p95 ${q.p95_ms} ms, max ${q.max_ms} ms (${q.n} workers)`,
      '(diagnostic)',
      undefined,
    );
  },
  async idle(opts, results) {
    const d = await idle(opts);
    results.idle = d;
    row(
      `idle CPU (20 × sleep ${d.sleep_s}s)`,
      `${d.cpu_pct_of_one_core}% of a core (${d.runner_cpu_s} s in ${d.window_s} s)`,
      '≤ 1% of one core',
      d.cpu_pct_of_one_core <= 1,
    );
    row('idle peak RSS (20 workers)', `${d.peak_rss_mb} MB`, '(info)', undefined);
  },
  async startup(opts, results) {
    const d = await startup(opts);
    results.startup = d;
    row(
      'wo --version',
      `${d.version_median_ms} ms vs node -e 0 ${d.node_e0_median_ms} ms = ${d.version_ratio}× (medians of ${d.reps})`,
      '≤ 1.3× node -e 0',
      d.version_ratio <= 1.3,
    );
    if (d.status_error) errorRow(`wo status (${d.live_workers} live)`, new Error(d.status_error));
    else
      row(
        `wo status (${d.live_workers} live)`,
        `${d.status_median_ms} ms (median of ${d.reps}; min ${d.status_min_ms})`,
        '≤ 300 ms',
        d.status_median_ms <= 300,
      );
  },
  async scale(opts, results) {
    try {
      const v = await validate500(opts);
      results.validate = v;
      row(
        'validate 500-worker plan',
        `${v.median_ms} ms (median of ${v.reps}; min ${v.min_ms})`,
        '≤ 150 ms',
        v.median_ms <= 150,
      );
    } catch (e) {
      results.validate = { error: e.message };
      errorRow('validate 500-worker plan', e);
    }
    const r = await run300(opts);
    results.scale = r;
    row(
      `run ${r.workers} workers C=${r.c}`,
      `${s(r.ms)}, ${r.all_done ? `all ${r.workers} done` : r.problem}`,
      'every outcome done',
      r.all_done,
    );
    row(
      `peak RSS (${r.workers} workers)`,
      r.peak_rss_mb === undefined ? 'unknown' : `${r.peak_rss_mb} MB`,
      '≤ 150 MB',
      r.peak_rss_mb !== undefined && r.peak_rss_mb <= 150,
    );
  },
  async provision(opts, results) {
    const p = await provision(opts);
    results.provision = p;
    const name = `provision N=${p.n} C=${p.c} (${Math.round(p.repo.tracked_files / 1000)}k files, ${p.repo.fs})`;
    row(
      name,
      `wo ${s(p.wo_median_ms)} / floor ${s(p.floor_median_ms)} = ${p.ratio}× (median of pairs ${p.pairs.map((x) => x.ratio).join(', ')})`,
      '≤ 1.15× floor',
      p.ratio <= 1.15,
    );
    row(
      '  CPU per run (diagnostic)',
      `wo ${p.wo_cpu_median_s} s / floor ${p.floor_cpu_median_s} s (user+sys of the run and its git)`,
      '(diagnostic)',
      undefined,
    );
    if (p.wrong_outcomes.length)
      row(`${name} outcomes`, `${p.wrong_outcomes.length} runs: ${p.wrong_outcomes[0]}`, 'all done', false);
    const d = p.disk;
    const depNote =
      d.wo_dep === 'link'
        ? `${p.repo.dep_files}-file node_modules linked`
        : d.wo_dep === 'missing'
          ? 'node_modules missing: link: did nothing'
          : `node_modules a ${d.wo_dep} of ${d.wo_dep_mb_per_worker} MB`;
    row(
      'disk per worker, link: [node_modules]',
      `wo ${d.wo_mb_per_worker} MB / floor ${d.floor_mb_per_worker} MB (${depNote})`,
      'checkout only',
      d.wo_dep === 'link' && d.wo_mb_per_worker <= d.floor_mb_per_worker * 1.05 + 1,
    );
    const sp = p.sparse;
    const share = `${Math.round((100 * p.repo.sparse_files) / p.repo.tracked_files)}% of files`;
    const floorNote = `floor ${s(p.floor_median_ms)} / ${s(sp.floor_sparse_median_ms)} = ${sp.floor_speedup}×`;
    if (sp.implemented)
      row(
        `sparse worker (${share})`,
        `wo full ${s(sp.wo_full_median_ms)} / sparse ${s(sp.wo_sparse_median_ms)} = ${sp.wo_speedup}× faster (${floorNote})`,
        '≥ 5× faster',
        sp.wo_speedup >= 5,
      );
    else row(`sparse worker (${share})`, `n/a (not implemented; ${floorNote})`, '≥ 5× faster', undefined);
  },
};

/** results.json as the repository's prettier would write it (so `npm run format:check` passes). */
async function formatJson(value, file) {
  const text = `${JSON.stringify(value, null, 2)}\n`;
  try {
    const prettier = await import('prettier');
    const config = (await prettier.resolveConfig(file)) ?? {};
    return await prettier.format(text, { ...config, filepath: file });
  } catch {
    return text; // prettier is a devDependency: without it, plain JSON
  }
}

async function main() {
  const opts = parseArgs(process.argv.slice(2));
  if (opts.wo) setWoRoot(opts.wo);
  const log = (m) => process.stderr.write(`${m}\n`);
  const started = new Date();
  const results = {
    date: started.toISOString(),
    command: `node bench/run.js ${process.argv.slice(2).join(' ')}`.trim(),
    quick: opts.quick,
    only: opts.only,
    task: opts.task,
    machine: machine(),
  };
  log(
    `wo bench ${opts.quick ? '(quick) ' : ''}— ${results.machine.cpus} cores, node ${process.version}, ${results.machine.tmux}, ${results.machine.git}; wo at ${results.machine.wo_commit}`,
  );
  log(`wo: ${WO}${results.machine.wo_tree_dirty ? ' (uncommitted changes in src/, bin/ or scripts/)' : ''}`);
  const load = results.machine.loadavg_at_start[0];
  if (load > 0.5 * results.machine.cpus)
    log(
      `note: load average ${load} on ${results.machine.cpus} cores: other work is running, figures will be noisy`,
    );
  log('');
  process.stdout.write(`${fmtRow({ name: 'benchmark', figure: 'figure', target: 'target', result: '' })}\n`);
  process.stdout.write(`${WIDTHS.map((w) => '─'.repeat(w)).join('─┼─')}\n`);
  const errors = {};
  for (const name of ALL) {
    if (!opts.only.includes(name)) continue;
    try {
      await benches[name](
        {
          quick: opts.quick,
          task: opts.task,
          log,
          sizes: opts.sizes,
          reps: opts.reps,
          vs: opts.vs && woEntryOf(opts.vs),
        },
        results,
      );
    } catch (e) {
      errors[name] = e?.message ?? String(e);
      errorRow(name, e);
    }
  }
  results.errors = errors;
  if (Object.keys(errors).length) process.exitCode = 1;
  results.rows = rows;
  results.duration_s = round((Date.now() - started.getTime()) / 1000, 1);
  results.machine.loadavg_at_end = loadavg().map((x) => round(x, 2));

  process.stdout.write(
    `\n${rows.filter((r) => r.result === 'PASS').length} PASS, ${rows.filter((r) => r.result === 'MISS').length} MISS; ${results.duration_s} s\n`,
  );
  const tmp = `${opts.out}.tmp`;
  writeFileSync(tmp, await formatJson(results, opts.out));
  renameSync(tmp, opts.out);
  process.stdout.write(`Results: ${opts.out}\n`);
}

try {
  await main();
} finally {
  cleanupAll();
}
