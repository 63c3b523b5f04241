// What a dry run shows of the arguments wo adds to each agent's command (hooks, cost cap, sandbox
// roots), asked of the agent's adapter as a start would ask it: nothing is written or started.
import { basename, join } from 'node:path';
import { adapterOf, launchAdditions } from '../agents/index.js';
import { shellQuote } from '../process/run.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { Workspace } from '../workspace.js';

/**
 * An inline JSON object (Claude's hook settings: the hook command for each hook event) is shown cut,
 * with its length: every other argument is shown whole, as a shell would read it.
 */
const shown = (arg: string): string =>
  arg.startsWith('{') && arg.length > 60
    ? `${shellQuote(arg.slice(0, 40))}…(${arg.length} characters)`
    : shellQuote(arg);

/** Each selected worker's added arguments as a shell would read them (absent: its agent adds none). */
export async function addedArgs(
  plan: ResolvedPlan,
  ws: Workspace,
  selected: readonly WorkerSpec[],
): Promise<Map<string, string>> {
  // A dry run's repository may be unusable by git (no commit): its worktrees' git folders are then unknown.
  const gitCommonDir = await ws.git.commonDir(ws.repoRoot).catch(() => undefined);
  const out = new Map<string, string>();
  for (const w of selected) {
    const def = plan.agents[w.agent] ?? { command: [] };
    const loc = ws.locate(w.feature);
    const added = await launchAdditions(adapterOf(w.agent, def), {
      worktree: loc.worktree,
      stateDir: loc.stateDir,
      setup: w.setup,
      ...(w.verify !== undefined && { verify: w.verify }),
      ...(w.maxCostUsd !== undefined && { maxCostUsd: w.maxCostUsd }),
      planned: true,
      // Where git will keep the worktree's folders (`worktrees/<name>`), as a start would give them.
      ...(gitCommonDir !== undefined && {
        git: {
          common: gitCommonDir,
          admin: join(gitCommonDir, 'worktrees', basename(loc.worktree)),
          branch: loc.branch,
        },
      }),
    });
    if (added.args.length) out.set(w.feature, added.args.map(shown).join(' '));
  }
  return out;
}
