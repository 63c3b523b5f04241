// The preflight stage: tmux usable, every agent the selection uses on PATH, able to reach its model
// and trusted, the session names free, the hand-off possible; all before anything is created (exit 3).
import path from 'node:path';
import { ExitCode, UsageError } from '../errors.js';
import { foreignBranches } from '../git/git.js';
import { tryFeature } from '../plan/templates.js';
import { worktreesRoot } from '../worktree/layout.js';
import { assertOwnSessions } from '../worktree/worktree.js';
import type { RunState, Stage } from './types.js';

export const preflight: Stage = {
  name: 'preflight',
  async run(r) {
    const { ctx, opts, plan, ws, selected } = r;
    // A worker on the default base (HEAD) needs a first commit; another base was checked at select.
    if (selected.some((w) => w.base === undefined)) {
      const { assertFirstCommit } = await import('../preflight/repository.js');
      await assertFirstCommit(ws.git, ws.repoRoot);
    }
    // A session name taken by another repository's session is refused before anything is created;
    // tmux is asked while its version and the agents are checked, and those problems are told first.
    const sessionsOwned = assertOwnSessions(
      ws.tmux,
      selected.map((w) => ws.locate(w.feature)),
    );
    // Awaited after the agent checks; this only keeps an early rejection from going unhandled.
    sessionsOwned.catch(() => undefined);
    await r.tmuxUsable;
    const { preflight: checkAgents } = await import('../preflight/preflight.js');
    // With `on_conflict: agent`, the agent that resolves conflicts is checked too (SPEC §10).
    const resolver = plan.integrate?.onConflict === 'agent' ? [plan.integrate.agent] : [];
    const usedAgents = Object.fromEntries(
      [...new Set([...selected.map((w) => w.agent), ...resolver])]
        .map((a) => [a, plan.agents[a]!] as const)
        // A rehearsal stands in for an agent that does not rehearse: its program is not needed.
        .filter(([a, def]) => r.rehearsal?.kindOf(a, def) !== 'stand-in'),
    );
    const say = (text: string) => r.notice(text);
    r.agentChecks = await checkAgents(
      {
        runner: ws.runner,
        // A rehearsal asks the agents as they will run: in their own homes, with no key of the user's.
        env: r.rehearsal ? await r.rehearsal.preflightEnv(ctx.env, usedAgents) : ctx.env,
        cwd: ctx.cwd,
        repoRoot: ws.repoRoot,
        agents: usedAgents,
        worktreesDir: worktreesRoot(ws.layout),
        say,
      },
      say,
    );
    await sessionsOwned;
    r.remote = plan.remote ?? 'origin';
    if ((opts.push || opts.pr) && !r.rehearsal) {
      const { checkHandOff } = await import('../handoff/handoff.js');
      await checkHandOff({ ...ws, remote: r.remote, pr: Boolean(opts.pr), env: ctx.env });
      await assertOwnBranches(r);
    }
    // Starting again what is all done bills every agent again: say so, and name the flag that would not.
    if (selected.length > 0 && !opts.failed) {
      const { latestOutcomes } = await import('./history.js');
      const planName = path.relative(ws.repoRoot, plan.file);
      const { outcomes } = await latestOutcomes(ws.repoRoot, planName, { reportDir: plan.report.dir });
      if (selected.every((w) => outcomes.get(w.feature) === 'done'))
        r.notice(
          `wo: ${selected.length === 1 ? 'the selected worker is' : `all ${selected.length} selected workers are`} already done in an earlier run of ${planName}; starting ${selected.length === 1 ? 'it' : 'them'} again. 'wo run --failed ${planName}' runs only what is not done.\n`,
        );
    }
    // An empty shard still writes its (empty) report, so that `wo report merge` finds every shard.
    if (selected.length === 0 && !opts.shard) {
      r.notice('Nothing to run: every selected worker is already done.\n');
      r.result = { code: ExitCode.ok };
    }
  },
};

/**
 * `--push` pushes only branches wo made for this repository's workers (SPEC §9): a selected worker
 * (or a try of one) whose branch exists and was made by someone else is refused, before anything is
 * created (exit 2).
 */
async function assertOwnBranches(r: RunState): Promise<void> {
  const { ws, selected } = r;
  const branches = selected.flatMap((w) => [
    ws.locate(w.feature).branch,
    ...Array.from({ length: w.bestOf ?? 0 }, (_, k) => ws.locate(tryFeature(w.feature, k + 1)).branch),
  ]);
  const foreign = await foreignBranches(ws.git, ws.repoRoot, branches);
  if (foreign.length === 0) return;
  const one = foreign.length === 1;
  throw new UsageError(
    `--push would push ${one ? 'branch' : 'branches'} ${foreign.join(', ')}, which ${one ? 'exists' : 'exist'} and wo did not create: wo pushes only branches it made for its workers. Rename ${one ? 'it' : 'them'} (git branch -m), choose another branch template (worktrees.branch), or run without --push; nothing was created.`,
  );
}
