// What `wo run` (its integrate stage) and `wo integrate` share: from a plan's done workers to
// integrate()'s input, and the integration's words for the person.
import { commitsAhead, currentBranch } from '../git/git.js';
import { fillTemplate } from '../plan/templates.js';
import type { IntegrateSettings, ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { ReportIntegration } from '../report/types.js';
import type { Workspace } from '../workspace.js';
import { agentResolver } from './agent.js';
import { integrate, INTEGRATION_FEATURE, type Candidate } from './integrate.js';

/** The ref the integration branch starts from: integrate.base, else the branch HEAD is on (else its commit). */
export async function integrationBase(ws: Workspace, settings: IntegrateSettings): Promise<string> {
  if (settings.base !== undefined) return settings.base;
  const branch = await currentBranch(ws.git, ws.repoRoot);
  if (branch !== undefined) return branch;
  return (await ws.git.run(ws.repoRoot, ['rev-parse', 'HEAD'])).stdout.trim();
}

/** The branch name: {run_id} and {date} (UTC, YYYY-MM-DD) filled in. */
export const integrationBranch = (template: string, runId: string, now = new Date()): string =>
  fillTemplate(template, { run_id: runId, date: now.toISOString().slice(0, 10) });

export interface IntegratePlanInput {
  ws: Workspace;
  plan: ResolvedPlan;
  settings: IntegrateSettings;
  runId: string;
  base: string;
  /** The done workers, in plan order: those without commits ahead of their base are left out here. */
  done: readonly WorkerSpec[];
  env: NodeJS.ProcessEnv;
  note(line: string): void;
  keepSessions?: boolean;
}

/** Integrates the plan's done workers that have commits (SPEC §10). Throws only a refusal (exit 2). */
export async function integratePlan(i: IntegratePlanInput): Promise<ReportIntegration> {
  const { ws, settings } = i;
  const candidates: Candidate[] = [];
  for (const w of i.done) {
    const branch = ws.locate(w.feature).branch;
    const ahead = await commitsAhead(ws.git, ws.repoRoot, w.base ?? i.base, branch);
    if (!ahead) {
      i.note(
        `${w.feature}: not integrated (${ahead === 0 ? 'no commits ahead of its base' : `no branch ${branch}`})`,
      );
      continue;
    }
    candidates.push({ feature: w.feature, branch, task: w.task, needs: w.needs });
  }
  return integrate({
    git: ws.git,
    runner: ws.runner,
    repoRoot: ws.repoRoot,
    worktree: ws.locate(INTEGRATION_FEATURE).worktree,
    branch: integrationBranch(settings.branch, i.runId),
    base: i.base,
    workers: candidates,
    known: (
      await Promise.all(
        i.plan.workers.map(async (w) => {
          const b = ws.locate(w.feature).branch;
          return (await ws.git.branchExists(ws.repoRoot, b)) ? [b] : [];
        }),
      )
    ).flat(),
    ...(settings.verify !== undefined && { verify: settings.verify }),
    ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
    env: i.env,
    onConflict: settings.onConflict,
    ...(settings.onConflict === 'agent' && {
      resolve: agentResolver({
        ws,
        agent: settings.agent,
        runId: i.runId,
        env: i.env,
        keepSessions: i.keepSessions,
        ...(settings.timeoutMs !== undefined && { timeoutMs: settings.timeoutMs }),
      }),
    }),
    note: (line) => i.note(line),
  });
}

/** `integration integrated: wo-integration/… holds login, cart (verify passed)`: the integration in one line. */
export function integrationText(x: ReportIntegration): string {
  const merged = x.merged.length ? x.merged.join(', ') : 'no worker';
  const verify = x.verify ? (x.verify.passed ? ' (verify passed)' : `; ${x.verify.finding}`) : '';
  const conflicts = x.conflicts.map(
    (c) =>
      `; ${c.feature} conflicts${c.with.length ? ` with ${c.with.join(', ')}` : ''} in ${c.files.join(', ')}`,
  );
  const notMerged = x.not_merged.length ? `; not merged: ${x.not_merged.join(', ')}` : '';
  const reason = x.reason ? `; ${x.reason}` : '';
  return `integration ${x.outcome}: ${x.branch} holds ${merged}${verify}${conflicts.join('')}${notMerged}${reason}`;
}
