// The select stage: the plan read, the workspace opened, and the workers this run starts (--only,
// --failed, --shard), with every base checked before anything is created.
import { dirname, relative, resolve } from 'node:path';
import { UsageError } from '../errors.js';
import { closest } from '../plan/suggest.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { ReportWorker, ShardInfo } from '../report/types.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { isDone } from '../protocol/metadata.js';
import { assertTmux } from '../preflight/requirements.js';
import { assertBases } from '../worktree/worktree.js';
import { expandTries } from './judge.js';
import type { RunOptions, Stage } from './types.js';

export const select: Stage = {
  name: 'select',
  async run(r) {
    const { ctx, opts } = r;
    // A bad --shard (or `auto` outside a CI that says one) is a usage error before the plan is read.
    if (opts.shard !== undefined)
      r.shard = (await import('../report/shard.js')).resolveShard(opts.shard, ctx.env);
    const { loadPlan } = await import('../plan/index.js');
    r.planFile = resolve(ctx.cwd, r.planArg);
    r.plan = await loadPlan(r.planArg, {
      cwd: ctx.cwd,
      env: ctx.env,
      flags: { concurrency: opts.concurrency, timeout: opts.timeout },
    });
    const { plan } = r;
    const ws = await openWorkspace({ ...ctx, cwd: dirname(r.planFile) }, plan);
    r.ws = ws;
    // tmux's version is asked for while the selection is worked out; a dry run does not need tmux.
    r.tmuxUsable = assertTmux(ws.tmux);
    // Awaited later (not by a dry run); this only keeps an early rejection from going unhandled.
    r.tmuxUsable.catch(() => undefined);
    const { selected, alreadyDone, carried } = await selectShard(plan, ws, opts, ctx.cwd, r.shard);
    // A best-of worker runs as its tries (SPEC §11), each a whole worker.
    const { workers, bestOf } = expandTries(selected);
    r.selected = workers;
    r.bestOf = bestOf;
    r.alreadyDone = alreadyDone;
    r.carried = carried;
    // A base git does not know is found now, before anything is created (exit 2).
    await assertBases(
      ws.git,
      ws.repoRoot,
      workers.map((w) => ({ loc: ws.locate(w.feature), base: w.base })),
      new Set(plan.workers.map((w) => ws.locate(w.feature).branch)),
    );
  },
};

/** selectWorkers, then only the workers of `--shard i/n` (split over the whole plan, so every shard agrees). */
export async function selectShard(
  plan: ResolvedPlan,
  ws: Workspace,
  opts: RunOptions,
  cwd: string,
  shard: ShardInfo | null,
) {
  const picked = await selectWorkers(plan, ws, opts);
  if (!shard) return picked;
  const { shardOf } = await import('../report/shard.js');
  const { readTimings, timingsPath } = await import('../report/timings.js');
  const timings = await readTimings(timingsPath(ws.repoRoot, cwd, opts.timings));
  const mine = new Set(shardOf(plan.workers, shard, timings).map((w) => w.feature));
  return {
    ...picked,
    selected: picked.selected.filter((w) => mine.has(w.feature)),
    carried: picked.carried.filter((w) => mine.has(w.feature)),
  };
}

/**
 * The workers this run starts, the features outside it that count as done for `needs`, and (with
 * `--failed`) the plan's other workers as the earlier run that last had each reported them: the
 * report lists them too, carried over (`from_run`), so that it names every worker of the plan.
 */
export async function selectWorkers(
  plan: ResolvedPlan,
  ws: Workspace,
  opts: RunOptions,
): Promise<{ selected: WorkerSpec[]; alreadyDone: Set<string>; carried: ReportWorker[] }> {
  const names = new Set(plan.workers.map((w) => w.feature));
  let selected = plan.workers;
  let carried: ReportWorker[] = [];
  // `--only ,` or `--only ''` names no worker: an error, never "everything" (SPEC §4).
  if (opts.only !== undefined && opts.only.length === 0)
    throw new UsageError(
      `--only names no worker. Give one or more, comma-separated: --only ${[...names].slice(0, 2).join(',')}`,
    );
  if (opts.only?.length) {
    const unknown = opts.only.filter((f) => !names.has(f));
    if (unknown.length)
      throw new UsageError(
        `--only names ${unknown.map((u) => `"${u}"${didYouMean(u, [...names])}`).join(', ')}, not in the plan. Workers: ${[...names].join(', ')}.`,
      );
    const want = new Set(opts.only);
    selected = selected.filter((w) => want.has(w.feature));
  }
  if (opts.failed) {
    // The latest outcome of each worker over every run of this plan (SPEC §4), not only the last
    // report: a worker that ended done in any run since its failure is never run (or cleared) again.
    const { latestOutcomes } = await import('./history.js');
    const planName = relative(ws.repoRoot, plan.file);
    const { runs, outcomes, latest } = await latestOutcomes(ws.repoRoot, planName, {
      reportDir: plan.report.dir,
    });
    if (runs === 0)
      throw new UsageError(
        `--failed needs a previous run of ${planName}, and ${ws.repoRoot}/.wo/runs has none. Run 'wo run ${planName}' first.`,
      );
    // Everything whose latest outcome is not done, plus workers the plan gained since.
    selected = selected.filter((w) => outcomes.get(w.feature) !== 'done');
    const { carriedOver } = await import('../report/build.js');
    const rerun = new Set(selected.map((w) => w.feature));
    carried = plan.workers.flatMap((w) => {
      const past = latest.get(w.feature);
      return !rerun.has(w.feature) && past
        ? [carriedOver(past.worker as Partial<ReportWorker> & { feature: string }, past.runId)]
        : [];
    });
  }
  const inSel = new Set(selected.map((w) => w.feature));
  const alreadyDone = new Set<string>();
  const notDone: string[] = [];
  for (const w of selected) {
    for (const need of w.needs) {
      if (inSel.has(need) || alreadyDone.has(need)) continue;
      // The recorded state, as wo status shows it: a run's outcome beats a status file's word. A
      // best-of worker has no worktree of its own: the latest report's judging says (SPEC §11).
      const bestOf = plan.workers.find((x) => x.feature === need)?.bestOf !== undefined;
      const done = bestOf
        ? (await (await import('./history.js')).lastReported(ws.repoRoot, need))?.outcome === 'done'
        : await isDone(ws.locate(need));
      if (done) alreadyDone.add(need);
      else notDone.push(`${w.feature} needs "${need}"`);
    }
  }
  if (notDone.length && (opts.only?.length || opts.failed)) {
    throw new UsageError(
      `${notDone.join('; ')}, which is outside this selection and not done. Add it to --only, or run it first.`,
    );
  }
  return { selected, alreadyDone, carried };
}

/** ` (did you mean "x"?)` when a worker's name is near enough to `word` to be a typo of it. */
function didYouMean(word: string, names: readonly string[]): string {
  const near = closest(word, names);
  return near === undefined ? '' : ` (did you mean "${near}"?)`;
}
