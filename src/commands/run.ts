// `wo run`: the batch. Validate, select, lock, create worktrees, schedule workers, report.
import { dirname, join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { WorkerRecord } from '../scheduler/types.js';
import { openWorkspace, type Workspace } from '../workspace.js';
import { acquireRunLock } from '../lock.js';
import { protocolPaths, readStatus, readResult } from '../worker/protocol.js';
import { placeholderValues, substitute } from '../worker/launch.js';
import type { WorkerLocation } from '../worker/layout.js';
import { shellQuote } from '../ui/text.js';
import { lastOutputLine } from '../worker/lastline.js';
import { assertTmux } from '../worker/requirements.js';
import { assertBases, assertOwnSessions } from '../worker/worktree.js';

export interface RunOptions {
  only?: string[];
  failed?: boolean;
  concurrency?: number;
  timeout?: string;
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  keepSessions?: boolean;
}

/** The workers this run starts, and the features outside it that count as done for `needs`. */
export async function selectWorkers(
  plan: ResolvedPlan,
  ws: Workspace,
  opts: RunOptions,
): Promise<{ selected: WorkerSpec[]; alreadyDone: Set<string> }> {
  const names = new Set(plan.workers.map((w) => w.feature));
  let selected = plan.workers;
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
    const { readLastReport } = await import('../report/index.js');
    const last = await readLastReport(ws.repoRoot);
    if (!last)
      throw new UsageError(
        `--failed needs a previous run, and ${ws.repoRoot}/.wo/last-run.json does not exist. Run 'wo run' first.`,
      );
    const done = new Set(last.workers.filter((w) => w.outcome === 'done').map((w) => w.feature));
    // Everything whose last outcome was not done, plus workers the plan gained since.
    selected = selected.filter((w) => !done.has(w.feature));
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
  return { selected, alreadyDone };
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
  const { selected, alreadyDone } = await selectWorkers(plan, ws, opts);
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
  // A session name taken by another repository's session is refused before anything is created.
  await assertOwnSessions(
    ws.tmux,
    selected.map((w) => ws.locate(w.feature)),
  );
  if (selected.length === 0) {
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
    git: ws.git,
    tmux: ws.tmux,
    runner: ws.runner,
    layout: ws.layout,
    agents: plan.agents,
    runId,
    env: ctx.env,
    keepSessions: opts.keepSessions,
    orphanRunId: lock.orphanRunId,
  });
  driver.prefetch(selected);
  ctx.trapInterrupts = true;
  const progress = createProgress({
    io: ctx.io,
    env: ctx.env,
    toStderr: Boolean(opts.json),
    lastLine: (f: string) => lastOutputLine(ws.locate(f).worktree),
  });
  const startedAt = Date.now();
  let records: WorkerRecord[];
  try {
    progress.start(selected.map((w) => w.feature));
    records = await schedule({
      workers: selected,
      concurrency: plan.concurrency,
      driver,
      alreadyDone,
      signal: ctx.signal,
      onEvent: (e) => progress.onEvent(e),
    });
  } finally {
    await progress.stop();
    await driver.close();
  }
  try {
    const results = await Promise.all(
      records.map(async (r) => {
        const loc = ws.locate(r.feature);
    onLive: (feature, live) => progress.onLive?.(feature, live, Date.now()),
        return { ...loc, result: (await readResult(loc.worktree)) ?? null };
      }),
    );
    const built = report.buildReport({
      runId,
      plan: relative(ws.repoRoot, planFile),
      startedAt,
      finishedAt: Date.now(),
      records,
      workers: results,
    });
    const written = await report.writeReport(built, {
      repoRoot: ws.repoRoot,
      dir: opts.report ? resolve(ctx.cwd, opts.report) : plan.report.dir,
    });
    if (opts.json) ctx.io.out(`${JSON.stringify(built, null, 2)}\n`);
    // The progress view printed the summary line; the report's place is the last word.
    ctx.io.err(`Report: ${relative(ctx.cwd, written.markdown) || written.markdown}\n`);
  } finally {
    await lock.release();
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
    if (w.setup.length) lines.push(`  setup     ${w.setup.join(' && ')}`);
    if (w.verify) lines.push(`  verify    ${w.verify}`);
    if (w.timeoutMs) lines.push(`  timeout   ${Math.round(w.timeoutMs / 1000)}s`);
    lines.push('');
  }
  return `${lines.join('\n')}`;
}
