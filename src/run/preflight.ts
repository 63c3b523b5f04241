// The preflight stage: tmux usable, every agent the selection uses on PATH, able to reach its model
// and trusted, the session names free, the hand-off possible; all before anything is created (exit 3).
import { ExitCode } from '../errors.js';
import { worktreesRoot } from '../worktree/layout.js';
import { assertOwnSessions } from '../worktree/worktree.js';
import type { Stage } from './types.js';

export const preflight: Stage = {
  name: 'preflight',
  async run(r) {
    const { ctx, opts, plan, ws, selected } = r;
    // A session name taken by another repository's session is refused before anything is created;
    // tmux is asked while its version and the agents are checked, and those problems are told first.
    const sessionsOwned = assertOwnSessions(
      ws.tmux,
      selected.map((w) => ws.locate(w.feature)),
    );
    sessionsOwned.catch(() => undefined);
    await r.tmuxUsable;
    const { preflight: checkAgents } = await import('../preflight/preflight.js');
    const usedAgents = Object.fromEntries(
      [...new Set(selected.map((w) => w.agent))].map((a) => [a, plan.agents[a]!]),
    );
    const say = (text: string) => r.notice(text);
    r.agentChecks = await checkAgents(
      {
        runner: ws.runner,
        env: ctx.env,
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
    if (opts.push || opts.pr) {
      const { checkHandOff } = await import('../handoff/handoff.js');
      await checkHandOff({ ...ws, remote: r.remote, pr: Boolean(opts.pr), env: ctx.env });
    }
    // An empty shard still writes its (empty) report, so that `wo report merge` finds every shard.
    if (selected.length === 0 && !opts.shard) {
      r.notice('Nothing to run: every selected worker is already done.\n');
      r.result = { code: ExitCode.ok };
    }
  },
};
