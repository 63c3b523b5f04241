// `wo integrate [plan]` (SPEC §10): the plan's latest `done` workers (as `wo run --failed` reads them,
// over every run of the plan) merged into one fresh branch and verified. Runs no worker.
import { join, relative, resolve } from 'node:path';
import type { Context } from '../context.js';
import { ExitCode, UsageError } from '../errors.js';

export interface IntegrateOptions {
  only?: string[];
  push?: boolean;
  /** `--pr`: one draft pull request for the integration branch; `--pr each`: one per worker. */
  pr?: boolean | string;
  json?: boolean;
  junit?: string;
}

export async function integrateCommand(
  ctx: Context,
  planArg: string,
  opts: IntegrateOptions,
): Promise<number> {
  if (typeof opts.pr === 'string' && opts.pr !== 'each')
    throw new UsageError(`--pr takes no value or "each", not "${opts.pr}"`);
  const [{ loadPlan }, { openWorkspace }, { latestOutcomes }, { acquireRunLock }, { newRunId }] =
    await Promise.all([
      import('../plan/index.js'),
      import('../workspace.js'),
      import('../run/history.js'),
      import('../lock.js'),
      import('../report/run-id.js'),
    ]);
  const planFile = resolve(ctx.cwd, planArg);
  const plan = await loadPlan(planArg, { cwd: ctx.cwd, env: ctx.env, flags: {} });
  const ws = await openWorkspace({ ...ctx, cwd: resolve(planFile, '..') }, plan);
  const planName = relative(ws.repoRoot, plan.file);
  const names = plan.workers.map((w) => w.feature);
  if (opts.only !== undefined && opts.only.length === 0)
    throw new UsageError(
      `--only names no worker. Give one or more, comma-separated: --only ${names.slice(0, 2).join(',')}`,
    );
  const unknown = (opts.only ?? []).filter((f) => !names.includes(f));
  if (unknown.length)
    throw new UsageError(
      `--only names ${unknown.map((u) => `"${u}"`).join(', ')}, not in the plan. Workers: ${names.join(', ')}.`,
    );

  const { runs, outcomes } = await latestOutcomes(ws.repoRoot, planName, { reportDir: plan.report.dir });
  if (runs === 0)
    throw new UsageError(
      `wo integrate merges the done workers of a run of ${planName}, and ${join(ws.repoRoot, '.wo', 'runs')} has none. Run 'wo run ${planName}' first.`,
    );
  const wanted = opts.only ? new Set(opts.only) : undefined;
  const picked = plan.workers.filter((w) => !wanted || wanted.has(w.feature));
  const done = picked.filter((w) => outcomes.get(w.feature) === 'done');
  const say = (line: string) => ctx.io.err(`wo: ${line}\n`);
  for (const w of picked)
    if (outcomes.get(w.feature) !== 'done')
      say(`${w.feature}: not integrated (its latest outcome is ${outcomes.get(w.feature) ?? 'never run'})`);

  const settings = plan.integrate ?? plan.integrateDefaults!;
  const runId = newRunId(new Date());
  // One live `wo run` or `wo integrate` per repository: both use the worktrees and branches.
  const lock = await acquireRunLock(join(ws.repoRoot, '.wo', 'run.lock'), runId);
  try {
    const { integratePlan, integrationBase, integrationText } = await import('../integrate/run.js');
    const base = await integrationBase(ws, settings);
    const x = await integratePlan({ ws, plan, settings, runId, base, done, env: ctx.env, note: say });
    const remote = plan.remote ?? 'origin';
    if (opts.push || opts.pr) {
      const { checkHandOff, handOff, handOffIntegration } = await import('../handoff/handoff.js');
      const hand = {
        git: ws.git,
        runner: ws.runner,
        repoRoot: ws.repoRoot,
        remote,
        runId,
        env: ctx.env,
        note: say,
      };
      await checkHandOff({ ...hand, pr: Boolean(opts.pr) });
      const res = await handOffIntegration(x, { ...hand, pr: opts.pr === true });
      Object.assign(x, { pushed: res.pushed, pr_url: res.pr_url, handoff_error: res.error });
      if (opts.pr === 'each') {
        const { allBranchFacts } = await import('../handoff/handoff.js');
        const merged = done.filter((w) => x.merged.includes(w.feature));
        const facts = await allBranchFacts(
          ws.git,
          ws.repoRoot,
          merged.map((w) => ({ branch: ws.locate(w.feature).branch, base: w.base ?? base })),
        );
        await handOff(
          merged.map((w) => {
            const loc = ws.locate(w.feature);
            return {
              feature: w.feature,
              task: w.task,
              outcome: 'done',
              branch: loc.branch,
              base: w.base,
              worktree: loc.worktree,
              commits: facts.get(loc.branch)?.commits ?? null,
              result: null,
            };
          }),
          { ...hand, pr: true },
        );
      }
    }
    ctx.io.err(`wo: ${integrationText(x)}\n`);
    const { countOutcomes } = await import('../report/summary.js');
    const now = new Date().toISOString();
    const report = {
      run_id: runId,
      plan: planName,
      started_at: now,
      finished_at: now,
      duration_ms: x.duration_ms,
      summary: countOutcomes([]),
      shard: null,
      workers: [],
      integration: x,
    };
    if (opts.junit) {
      const [{ renderJunit }, { writeFile }] = await Promise.all([
        import('../report/junit.js'),
        import('node:fs/promises'),
      ]);
      await writeFile(resolve(ctx.cwd, opts.junit), renderJunit(report));
    }
    const github = await import('../report/github.js');
    if (github.isGitHubActions(ctx.env)) ctx.io.out(github.integrationAnnotations(report));
    if (opts.json) ctx.io.out(`${JSON.stringify(x, null, 2)}\n`);
    const handOffFailed = x.handoff_error !== undefined && x.handoff_error !== null;
    return x.outcome === 'integrated' && !handOffFailed ? ExitCode.ok : ExitCode.notAllDone;
  } finally {
    // A lock that cannot be removed is taken over by the next run: its holder is gone.
    await lock.release().catch(() => undefined);
  }
}
