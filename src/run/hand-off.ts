// The hand-off stage (--push, --pr): the done workers' branches pushed, draft pull requests opened,
// and the outcome noted in the report. It comes before the report is written, so that pushed and
// pr_url are in it; whatever goes wrong here, the report is still written, and a push or pull request
// that failed makes the run exit 1 (SPEC §6: a CI job must not go green while the branch dies with it).
import { ranThisRun } from '../report/build.js';
import type { Stage } from './types.js';

export const handOff: Stage = {
  name: 'hand-off',
  async run(r) {
    const { ctx, opts, ws, report } = r;
    if (!(opts.push || opts.pr) || ctx.signal.aborted) return;
    // A rehearsal only says what the hand-off would do (SPEC §12).
    if (r.rehearsal) {
      for (const w of ranThisRun(report))
        if (w.outcome === 'done' && (w.commits ?? 0) > 0)
          r.notice(
            `wo: rehearsal: would push ${w.branch} to ${r.remote}${opts.pr ? ' and open a draft pull request for it' : ''} (not done in a rehearsal)\n`,
          );
      return;
    }
    const specs = new Map(r.plan.workers.map((w) => [w.feature, w]));
    try {
      const { handOff: handOver } = await import('../handoff/handoff.js');
      // Only this run's workers: one carried over from an earlier run was handed off by that run.
      const results = await handOver(
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
          remote: r.remote,
          // With an integration, --pr opens one pull request for its branch instead (SPEC §10); --pr each keeps these.
          pr: opts.pr === 'each' || (Boolean(opts.pr) && !r.integration),
          runId: report.run_id,
          env: ctx.env,
          note: (line) => r.notice(`wo: ${line}\n`),
          uncommitted: (wt) => ws.git.uncommitted(wt),
        },
      );
      for (const w of report.workers) {
        const res = results.get(w.feature);
        if (!res) continue;
        w.pushed = res.pushed;
        w.pr_url = res.pr_url;
        w.handoff_error = res.error;
        if (res.error) r.handOffFailed = true;
      }
      if (r.integration) {
        const { handOffIntegration } = await import('../handoff/handoff.js');
        const res = await handOffIntegration(r.integration, {
          git: ws.git,
          runner: ws.runner,
          repoRoot: ws.repoRoot,
          remote: r.remote,
          pr: opts.pr === true,
          runId: report.run_id,
          env: ctx.env,
          note: (line) => r.notice(`wo: ${line}\n`),
        });
        Object.assign(r.integration, { pushed: res.pushed, pr_url: res.pr_url, handoff_error: res.error });
      }
    } catch (e) {
      // Not swallowed: the run fails (exit 1) and the hand-off's own words are told.
      r.handOffFailed = true;
      r.notice(`wo: the hand-off stopped: ${e instanceof Error ? e.message : String(e)}\n`);
    }
  },
};
