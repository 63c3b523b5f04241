// `on_conflict: agent` (SPEC §10): a session `wt-_integration` in the integration worktree, started and
// awaited through the same driver as every worker (the completion protocol, the agent's adapter). The
// agent's word is not trusted: integrate.ts checks the merge itself afterwards.
import type { WorkerSpec } from '../plan/types.js';
import type { Workspace } from '../workspace.js';
import { INTEGRATION_FEATURE, type ConflictToResolve } from './integrate.js';

/** The task the resolving agent is given (the driver adds the completion protocol). */
export function resolveTask(c: ConflictToResolve): string {
  const sides = [
    `- ${c.feature} (being merged, branch ${c.branch}): ${c.task.trim()}`,
    ...c.with.map((w) => `- ${w.feature} (already merged): ${w.task.trim()}`),
  ];
  return [
    `You are in a git worktree in the middle of a merge (git merge --no-ff of ${c.branch}) that conflicted.`,
    `Resolve the conflicts in these files so that both sides' work is kept:`,
    ...c.files.map((f) => `- ${f}`),
    '',
    'The two sides were made by these workers, for these tasks:',
    ...sides,
    '',
    'Remove every conflict marker, `git add` the files, and finish the merge with `git commit --no-edit`.',
    'Do not start another merge, rebase, or reset: wo accepts only this merge, committed, with no marker left.',
  ].join('\n');
}

export interface AgentResolverOptions {
  ws: Workspace;
  agent: string;
  runId: string;
  env: NodeJS.ProcessEnv;
  /** How long the agent may take (the plan's timeout); undefined: no limit. */
  timeoutMs?: number;
  keepSessions?: boolean;
}

/** A `resolve` for integrate(): runs the agent to its end; throws when it did not end done. */
export function agentResolver(o: AgentResolverOptions): (c: ConflictToResolve) => Promise<void> {
  return async (c) => {
    const { RunDriver } = await import('../worker/driver.js');
    const { ws } = o;
    const driver = new RunDriver({
      git: ws.git,
      tmux: ws.tmux,
      runner: ws.runner,
      layout: ws.layout,
      agents: ws.agents,
      runId: o.runId,
      env: o.env,
      keepSessions: o.keepSessions,
    });
    const spec: WorkerSpec = {
      feature: INTEGRATION_FEATURE,
      task: resolveTask(c),
      agent: o.agent,
      needs: [],
      retries: 0,
      setup: [],
      copy: [],
      link: [],
      sparse: [],
      rateLimitWaitMs: 0,
      env: {},
      index: 0,
      ...(o.timeoutMs !== undefined && { timeoutMs: o.timeoutMs }),
    };
    try {
      const handle = await driver.start(spec, 1);
      let timer: ReturnType<typeof setTimeout> | undefined;
      if (o.timeoutMs !== undefined)
        timer = setTimeout(
          () => void handle.stop(`timed out after ${Math.round(o.timeoutMs! / 1000)}s`),
          o.timeoutMs,
        );
      const end = await handle.done.finally(() => clearTimeout(timer));
      if (end.outcome !== 'done')
        throw new Error(`it ended ${end.outcome}${end.reason ? `: ${end.reason}` : ''}`);
    } finally {
      await driver.close();
    }
  };
}
