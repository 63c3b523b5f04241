// The integration stages of a run (SPEC §10), for a plan with `integrate:`. `radar` (before the
// schedule) predicts, as each worker ends done, its merge with every other done worker's branch and
// tells it at once; `integrate` (after the facts) merges the done workers into one verified branch.
import type { Stage } from './types.js';

export const radar: Stage = {
  name: 'radar',
  async run(r) {
    const { plan, ws } = r;
    if (!plan.integrate || r.opts.dryRun) return;
    const [{ Radar, radarUsable, writeRadar }, { currentBranch, commitsAhead }] = await Promise.all([
      import('../integrate/radar.js'),
      import('../git/git.js'),
    ]);
    // The base as the run began (SPEC §10: the branch HEAD was on), for the integrate stage.
    r.integrationBase = plan.integrate.base ?? (await currentBranch(ws.git, ws.repoRoot));
    if (!radarUsable(await ws.git.version())) {
      r.notice('wo: the conflict radar is off: git is older than 2.38 (wo doctor says more)\n');
      return;
    }
    const found = new Radar(ws.git, ws.repoRoot, async (c) => {
      // wo status's copy; the live view and the report hear the event below whatever happens to it.
      await writeRadar(ws.repoRoot, r.runId, found.found).catch(() => undefined);
      await r.events.tell({ type: 'conflict-predicted', ...c, at: Date.now() });
    });
    r.radar = found;
    // Best effort: wo status then shows an earlier run's predictions, never a failed run.
    await writeRadar(ws.repoRoot, r.runId, []).catch(() => undefined);
    // Done before this run (needed, or carried over by --failed): compared with, never announced alone.
    for (const f of new Set([
      ...r.alreadyDone,
      ...r.carried.filter((w) => w.outcome === 'done').map((w) => w.feature),
    ]))
      found.know(f, ws.locate(f).branch);
    const specs = new Map(plan.workers.map((w) => [w.feature, w]));
    r.events.on((e) => {
      if (e.type !== 'finished' || e.record.outcome !== 'done') return;
      // A try is no worker to merge: its worker is compared once judged (judge.ts).
      if (r.bestOf.some((b) => b.tries.some((t) => t.feature === e.feature))) return;
      const branch = ws.locate(e.feature).branch;
      const base = specs.get(e.feature)?.base ?? r.integrationBase ?? 'HEAD';
      // Told at once (the view shows it while the run goes on); the integrate stage waits for it.
      void found.add(e.feature, branch, async () =>
        Boolean(await commitsAhead(ws.git, ws.repoRoot, base, branch)),
      );
    });
  },
};

export const integrate: Stage = {
  name: 'integrate',
  async run(r) {
    const { plan, ws, ctx } = r;
    const settings = plan.integrate;
    if (!settings || ctx.signal.aborted) return;
    await r.radar?.idle();
    const { integratePlan, integrationText } = await import('../integrate/run.js');
    // This run's done workers, and those done before it that it counts on (needs, --failed's carried).
    const done = new Set([
      ...r.records.filter((x) => x.outcome === 'done').map((x) => x.feature),
      ...r.alreadyDone,
      ...r.carried.filter((w) => w.outcome === 'done').map((w) => w.feature),
    ]);
    const base =
      settings.base ??
      r.integrationBase ??
      (await ws.git.run(ws.repoRoot, ['rev-parse', 'HEAD'])).stdout.trim();
    const note = (line: string) => r.notice(`wo: ${line}\n`);
    try {
      r.integration = await integratePlan({
        ws,
        plan,
        settings,
        runId: r.runId,
        base,
        done: plan.workers.filter((w) => done.has(w.feature)),
        env: ctx.env,
        note,
        keepSessions: r.opts.keepSessions,
      });
    } catch (e) {
      // A refusal (a fixed branch holding foreign commits): the workers' report is still written.
      note(e instanceof Error ? e.message : String(e));
      r.integration = {
        branch: settings.branch,
        base,
        head: null,
        merged: [],
        conflicts: [],
        not_merged: [...done],
        verify: null,
        outcome: 'failed',
        reason: e instanceof Error ? e.message : String(e),
        duration_ms: 0,
      };
    }
    await r.emit({
      type: 'integrated',
      outcome: r.integration.outcome,
      text: integrationText(r.integration),
      at: Date.now(),
    });
  },
};
