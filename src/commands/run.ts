// `wo run`: the batch. Validate, select, lock, create worktrees, schedule workers, report.
import { dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, fileSystemProblem, UsageError } from '../errors.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { ReportWorker } from '../report/types.js';
import type { WorkerRecord } from '../scheduler/types.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { acquireRunLock } from '../lock.js';
import { protocolPaths, readStatus, readResult } from '../worker/protocol.js';
import { placeholderValues, substitute } from '../worker/launch.js';
import { worktreesRoot, type WorkerLocation } from '../worker/layout.js';
import { shellQuote } from '../exec.js';
import { lastLines, lastOutputLine, readTail } from '../worker/lastline.js';
import { assertTmux } from '../worker/requirements.js';
import { readMeta, updateMeta } from '../worker/metadata.js';
import { assertBases, assertOwnSessions } from '../worker/worktree.js';
import { drainNotice } from '../ui/text.js';

export interface RunOptions {
  only?: string[];
  failed?: boolean;
  concurrency?: number;
  timeout?: string;
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  keepSessions?: boolean;
  /** `--junit FILE`: also write the report as JUnit XML. */
  junit?: string;
  /** `--shard i/n`: run the i-th of n deterministic parts of the plan (SPEC §8). */
  shard?: string;
  /** `--timings FILE`: the durations shards are balanced by (default .wo/timings.json). */
  timings?: string;
  /** `--push`: push the branches of done workers with commits; `--pr` also opens draft pull requests. */
  push?: boolean;
  pr?: boolean;
}

/** selectWorkers, then only the workers of `--shard i/n` (split over the whole plan, so every shard agrees). */
async function selectShard(plan: ResolvedPlan, ws: Workspace, opts: RunOptions, cwd: string) {
  const picked = await selectWorkers(plan, ws, opts);
  if (!opts.shard) return picked;
  const { parseShard, shardOf } = await import('../report/shard.js');
  const { readTimings, timingsPath } = await import('../report/timings.js');
  const shard = parseShard(opts.shard);
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
        `--only names ${unknown.map((u) => `"${u}"`).join(', ')}, not in the plan. Workers: ${[...names].join(', ')}.`,
      );
    const want = new Set(opts.only);
    selected = selected.filter((w) => want.has(w.feature));
  }
  if (opts.failed) {
    // The latest outcome of each worker over every run of this plan (SPEC §4), not only the last
    // report: a worker that ended done in any run since its failure is never run (or cleared) again.
    const { latestOutcomes } = await import('./run-history.js');
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
      const s = await readStatus(ws.locate(need).worktree);
      if (s.status === 'done') alreadyDone.add(need);
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

/**
 * The agent's argv with the placeholders filled in, quoted as a shell would need it (wo itself passes
 * the arguments to the agent directly). `{prompt}`, the task plus the protocol, is shown by name.
 */
function describeCommand(plan: ResolvedPlan, w: WorkerSpec, loc: WorkerLocation): string {
  const values = placeholderValues({ ...loc, task: w.task, feature: w.feature }, '{prompt}');
  return (plan.agents[w.agent]?.command ?? [])
    .map((a) => (a === '{prompt}' ? a : shellQuote(substitute(a, values))))
    .join(' ');
}

export async function runCommand(ctx: Context, planArg: string, opts: RunOptions): Promise<number> {
  // A bad --shard is a usage error before the plan is read.
  if (opts.shard) (await import('../report/shard.js')).parseShard(opts.shard);
  const { loadPlan } = await import('../plan/index.js');
  const planFile = resolve(ctx.cwd, planArg);
  const plan = await loadPlan(planArg, {
    cwd: ctx.cwd,
    env: ctx.env,
    flags: { concurrency: opts.concurrency, timeout: opts.timeout },
  });
  const ws = await openWorkspace(
    { ...ctx, cwd: dirname(planFile) },
    { worktrees: plan.worktrees, tmux: plan.tmux, agents: plan.agents },
  );
  // tmux's version is asked for while the selection is worked out; a dry run does not need tmux.
  const usable = assertTmux(ws.tmux);
  usable.catch(() => undefined);
  const { selected, alreadyDone, carried } = await selectShard(plan, ws, opts, ctx.cwd);
  // A base git does not know is found now, before anything is created (exit 2).
  await assertBases(
    ws.git,
    ws.repoRoot,
    selected.map((w) => ({ loc: ws.locate(w.feature), base: w.base })),
    new Set(plan.workers.map((w) => ws.locate(w.feature).branch)),
  );

  if (opts.dryRun) {
    ctx.io.out(
      dryRun(plan, ws, selected, ctx.cwd, new Set((await ws.git.worktrees(ws.repoRoot)).map((w) => w.path))),
    );
    return ExitCode.ok;
  }
  await usable;
  // Every agent the selection uses: on PATH, able to reach its model, trusted (exit 3 before anything is created).
  const { preflight } = await import('../worker/preflight.js');
  const usedAgents = Object.fromEntries(
    [...new Set(selected.map((w) => w.agent))].map((a) => [a, plan.agents[a]!]),
  );
  // A session name taken by another repository's session is refused before anything is created;
  // tmux is asked while the agents are checked, and the agents' problems are told first.
  const sessionsOwned = assertOwnSessions(
    ws.tmux,
    selected.map((w) => ws.locate(w.feature)),
  );
  sessionsOwned.catch(() => undefined);
  const agentChecks = await preflight(
    {
      runner: ws.runner,
      env: ctx.env,
      cwd: ctx.cwd,
      repoRoot: ws.repoRoot,
      agents: usedAgents,
      worktreesDir: worktreesRoot(ws.layout),
      say: (text) => ctx.io.err(text),
    },
    (text) => ctx.io.err(text),
  );
  await sessionsOwned;
  const remote = plan.remote ?? 'origin';
  if (opts.push || opts.pr) {
    const { checkHandOff } = await import('../handoff/handoff.js');
    await checkHandOff({ ...ws, remote, pr: Boolean(opts.pr), env: ctx.env });
  }
  // An empty shard still writes its (empty) report, so that `wo report merge` finds every shard.
  if (selected.length === 0 && !opts.shard) {
    ctx.io.err('Nothing to run: every selected worker is already done.\n');
    return ExitCode.ok;
  }

  const [report, { RunDriver }, { createProgress }, { schedule }] = await Promise.all([
    import('../report/index.js'),
    import('../worker/driver.js'),
    import('../ui/index.js'),
    import('../scheduler/schedule.js'),
  ]);
  const runId = report.newRunId(new Date());
  const lock = await acquireRunLock(join(ws.repoRoot, '.wo', 'run.lock'), runId);
  const driver = new RunDriver({
    awaitUsage: plan.maxRunCostUsd !== undefined,
    git: ws.git,
    tmux: ws.tmux,
    runner: ws.runner,
    layout: ws.layout,
    agents: plan.agents,
    runId,
    env: ctx.env,
    keepSessions: opts.keepSessions,
    orphanRunId: lock.orphanRunId,
    // A worker's live states are told as events of the same stream as the scheduler's.
    onEvent: (e) => {
      progress.onEvent(e);
      groups?.onEvent(e);
    },
  });
  driver.prefetch(selected);
  ctx.trapInterrupts = true;
  const progress = createProgress({
    io: ctx.io,
    env: ctx.env,
    toStderr: Boolean(opts.json),
    lastLine: (f: string) => lastOutputLine(ws.locate(f).worktree),
  });
  const github = await import('../report/github.js');
  const { logGroups } = await import('../ui/log-groups.js');
  // Under GitHub Actions each worker's story is one log group, printed when it finishes.
  const groups = github.isGitHubActions(ctx.env)
    ? logGroups({
        write: progressWrite(ctx, opts),
        lastOutput: async (f) => (await lastOutputs(ws, [f])).get(f),
      })
    : undefined;
  const startedAt = Date.now();
  let records: WorkerRecord[];
  // The workers between start and end, for what a first Ctrl-C says (SPEC §4).
  const live = new Set<string>();
  // Workers waiting for a rate limit's reset, until when: a first Ctrl-C ends them at once.
  const pausedUntil = new Map<string, number>();
  const onDrain = () => ctx.io.err(drainNotice(live, pausedUntil, Date.now()));
  ctx.drain?.addEventListener('abort', onDrain, { once: true });
  try {
    progress.start(selected.map((w) => w.feature));
    records = await schedule({
      workers: selected,
      concurrency: plan.concurrency,
      ...(plan.maxRunCostUsd !== undefined && { maxCostUsd: plan.maxRunCostUsd }),
      driver,
      alreadyDone,
      signal: ctx.signal,
      drain: ctx.drain,
      onEvent: (e) => {
        if (e.type === 'preparing') live.add(e.feature);
        if (e.type === 'finished') live.delete(e.feature);
        if (e.type === 'rate-limited') pausedUntil.set(e.feature, e.until);
        driver.noteEvent(e); // for wo status (queued, preparing, verifying)
        progress.onEvent(e);
        groups?.onEvent(e);
      },
    });
  } finally {
    ctx.drain?.removeEventListener('abort', onDrain);
    await groups?.flush();
    await progress.stop();
    await driver.close();
  }
  // The report's outcome word and times go into each worker's .worktree.json too, so that wo status
  // and wo collect later say `timeout`, `crashed` or `interrupted`, and the same duration, as the
  // report does (SPEC §5).
  await Promise.all(
    records.map(async (r) => {
      const wt = ws.locate(r.feature).worktree;
      if ((await readMeta(wt)).worker?.run_id !== runId) return; // not started by this run
      const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
      const worker = {
        outcome: r.outcome,
        outcome_run_id: runId,
        ...(r.startedAt !== undefined && r.finishedAt !== undefined
          ? { started_at: at(r.startedAt), finished_at: at(r.finishedAt) }
          : {}),
      };
      await updateMeta(wt, { worker }).catch(() => undefined);
    }),
  );
  try {
    const { allBranchFacts } = await import('../handoff/handoff.js');
    const { agentReport } = await import('../worker/agent-report.js');
    const specs = new Map(plan.workers.map((w) => [w.feature, w]));
    // Commits and diffstat of every branch a worker ran on, in a few git calls.
    const facts = await allBranchFacts(
      ws.git,
      ws.repoRoot,
      records
        .filter((r) => r.attempts.length > 0)
        .map((r) => ({ branch: ws.locate(r.feature).branch, base: specs.get(r.feature)?.base })),
    );
    const results = await Promise.all(
      records.map(async (r) => {
        const loc = ws.locate(r.feature);
        const ran = r.attempts.length > 0;
        const mine = ran ? facts.get(loc.branch) : undefined;
        const agent = specs.get(r.feature)?.agent;
        const version = agentChecks.find((c) => c.agent === agent)?.version;
        const told = await agentReport(loc.stateDir, {
          agent,
          version,
          endedAt: r.finishedAt ?? Date.now(),
          ran,
          outcome: r.outcome,
          log: protocolPaths(loc.worktree).log,
        });
        return { ...loc, ...mine, ...told, result: (await readResult(loc.worktree)) ?? null };
      }),
    );
    const built = report.buildReport({
      runId,
      plan: relative(ws.repoRoot, planFile),
      startedAt,
      finishedAt: Date.now(),
      records,
      workers: results,
      shard: opts.shard ? (await import('../report/shard.js')).parseShard(opts.shard) : null,
      // --failed: the workers it did not re-run are listed too, carried over, in plan order (SPEC §5).
      carried,
      order: plan.workers.map((w) => w.feature),
    });
    // The hand-off comes before the report is written, so that pushed and pr_url are in it; whatever
    // goes wrong there, the report is still written and the exit code still says how the workers ended.
    if ((opts.push || opts.pr) && !ctx.signal.aborted)
      await handOffReport(ctx, ws, built, specs, remote, opts).catch((e: unknown) =>
        ctx.io.err(`wo: the hand-off stopped: ${e instanceof Error ? e.message : String(e)}\n`),
      );
    // A report that cannot be written where it should (a full disk, a read-only folder) goes to
    // stderr, and the exit code still says how the workers ended (SPEC §9).
    const written = await report
      .writeReport(built, {
        repoRoot: ws.repoRoot,
        dir: opts.report ? resolve(ctx.cwd, opts.report) : plan.report.dir,
      })
      .catch((e: unknown) => {
        const why = fileSystemProblem(e) ?? (e instanceof Error ? e.message : String(e));
        ctx.io.err(
          `wo: could not write the report: ${why}\nThe report:\n\n${report.renderMarkdown(built)}\n`,
        );
        return undefined;
      });
    if (opts.json) ctx.io.out(`${JSON.stringify(built, null, 2)}\n`);
    if (written) {
      const { writeRunOutputs } = await import('../report/outputs.js');
      const { timingsPath } = await import('../report/timings.js');
      await writeRunOutputs({
        report: built,
        markdownPath: written.markdown,
        junit: opts.junit ? resolve(ctx.cwd, opts.junit) : undefined,
        // Every run writes the timings, a shard's too (SPEC §8): each shard of a run starts from its
        // own copy of the same file (a fresh CI checkout restores it from the cache).
        timings: timingsPath(ws.repoRoot, ctx.cwd, opts.timings),
        env: ctx.env,
        lastOutput: opts.junit
          ? await lastOutputs(
              ws,
              built.workers.map((w) => w.feature),
            )
          : undefined,
        annotate: true,
        write: progressWrite(ctx, opts),
        warn: (t) => ctx.io.err(t),
      });
      // The progress view printed the summary line; the report's place is the last word.
      ctx.io.err(`Report: ${relative(ctx.cwd, written.markdown) || written.markdown}\n`);
    }
  } finally {
    // A lock that cannot be removed (a read-only .wo/) is taken over by the next run: its holder is gone.
    await lock.release().catch(() => undefined);
  }
  if (ctx.signal.aborted) return ExitCode.interrupted;
  return records.every((r) => r.outcome === 'done') ? ExitCode.ok : ExitCode.notAllDone;
}

function dryRun(
  plan: ResolvedPlan,
  ws: Workspace,
  selected: WorkerSpec[],
  cwd: string,
  existing: Set<string>,
): string {
  const lines = [
    `Dry run: ${selected.length} of ${plan.workers.length} workers, concurrency ${plan.concurrency}. Nothing is created.`,
    '',
  ];
  for (const w of selected) {
    const loc = ws.locate(w.feature);
    lines.push(`${w.feature}`);
    const have = existing.has(loc.worktree);
    lines.push(`  worktree  ${relative(cwd, loc.worktree) || '.'} (${have ? 'exists: adopted' : 'new'})`);
    lines.push(`  branch    ${loc.branch} (from ${w.base ?? 'HEAD'} when new)`);
    lines.push(`  session   ${loc.session}`);
    lines.push(`  agent     ${w.agent}`);
    lines.push(`  command   ${describeCommand(plan, w, loc)}`);
    if (plan.agents[w.agent]?.command.some((a) => a.includes('{prompt}'))) {
      const prompt = relative(cwd, protocolPaths(loc.worktree).prompt);
      lines.push(`  {prompt}  the task, then the completion protocol (written to ${prompt})`);
    }
    if (w.needs.length) lines.push(`  needs     ${w.needs.join(', ')}`);
    if (w.copy.length) lines.push(`  copy      ${w.copy.join(', ')}`);
    if (w.link.length) lines.push(`  link      ${w.link.join(', ')}`);
    if (w.sparse.length)
      lines.push(
        `  sparse    ${w.sparse.join(', ')} and the top-level files (${have ? 'not applied: the worktree exists' : 'cone mode'})`,
      );
    if (w.setup.length) lines.push(`  setup     ${w.setup.join(' && ')}`);
    // Names only: values may be secrets.
    const envNames = Object.keys({ ...(plan.agents[w.agent]?.env ?? {}), ...w.env });
    if (envNames.length) lines.push(`  env       ${envNames.join(', ')}`);
    if (w.verify) lines.push(`  verify    ${w.verify}`);
    if (w.timeoutMs) lines.push(`  timeout   ${Math.round(w.timeoutMs / 1000)}s`);
    if (w.retries) lines.push(`  retries   ${w.retries}`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}

/** Where progress goes: stdout, or stderr when stdout carries --json. Workflow commands go there too. */
const progressWrite =
  (ctx: Context, opts: RunOptions) =>
  (text: string): void =>
    opts.json ? ctx.io.err(text) : ctx.io.out(text);

/** The last 40 lines each worker printed, as the terminal showed them. */
async function lastOutputs(ws: Workspace, features: string[]): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (const f of features) {
    const tail = await readTail(protocolPaths(ws.locate(f).worktree).log).catch(() => undefined);
    const lines = tail ? lastLines(tail, 40) : [];
    if (lines.length) out.set(f, lines.join('\n'));
  }
  return out;
}

/** --push / --pr: hand the done workers' branches over, and note the outcome in the report. */
async function handOffReport(
  ctx: Context,
  ws: Workspace,
  report: import('../report/types.js').RunReport,
  specs: Map<string, WorkerSpec>,
  remote: string,
  opts: RunOptions,
): Promise<void> {
  const { handOff } = await import('../handoff/handoff.js');
  // Only this run's workers: one carried over from an earlier run was handed off by that run.
  const { ranThisRun } = await import('../report/build.js');
  const results = await handOff(
    ranThisRun(report).map((w) => ({
      feature: w.feature,
      task: specs.get(w.feature)?.task ?? '',
      outcome: w.outcome,
      branch: w.branch,
      base: specs.get(w.feature)?.base,
      worktree: w.worktree,
      commits: w.commits,
      result: w.result,
    })),
    {
      git: ws.git,
      runner: ws.runner,
      repoRoot: ws.repoRoot,
      remote,
      pr: Boolean(opts.pr),
      runId: report.run_id,
      env: ctx.env,
      note: (line) => ctx.io.err(`wo: ${line}\n`),
      uncommitted: (wt) => ws.git.uncommitted(wt),
    },
  );
  for (const w of report.workers) {
    const r = results.get(w.feature);
    if (!r) continue;
    w.pushed = r.pushed;
    w.pr_url = r.pr_url;
    w.handoff_error = r.error;
  }
}
