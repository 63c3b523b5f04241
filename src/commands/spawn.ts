// wo spawn <feature> <task>: start one worker in its worktree (SPEC §4 and its safety table).
import { stat } from 'node:fs/promises';
import type { Context } from '../context.js';
import { SafetyError, UsageError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { assertFeatureName } from '../worker/inspect.js';
import { launchWorker } from '../session/launch.js';
import { gitDirsOf } from '../git/git.js';
import { worktreesRoot } from '../worktree/layout.js';
import { recordedState } from '../protocol/metadata.js';
import { assertBases, assertOwnSessions, ensureWorktree } from '../worktree/worktree.js';
import { taskProblem } from '../plan/rules.js';
import { openCommandWorkspace } from './settings.js';

export interface SpawnOptions {
  agent?: string;
  base?: string;
  create?: boolean;
}

export async function spawnCommand(ctx: Context, feature: string, task: string, opts: SpawnOptions = {}) {
  assertFeatureName(feature);
  const problem = taskProblem(task);
  if (problem) throw new UsageError(`${problem}, e.g. wo spawn ${feature} "Implement …"`);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return spawnWorker(ctx, ws, feature, task, opts);
}

/** Starts the worker; every refusal happens before anything is created or changed. */
export async function spawnWorker(
  ctx: Context,
  ws: Workspace,
  feature: string,
  task: string,
  opts: SpawnOptions,
): Promise<number> {
  const agentName = opts.agent ?? ws.defaultAgent;
  const agent = ws.agents[agentName];
  if (!agent) {
    throw new UsageError(
      `unknown agent "${agentName}". Choose one of: ${Object.keys(ws.agents).join(', ')} (or define it under agents: in the config).`,
    );
  }
  const loc = ws.locate(feature);

  await assertOwnSessions(ws.tmux, [loc]);
  const sessions = await ws.tmux.listSessions();
  const session = sessions.find((s) => s.name === loc.session);
  // Its files say whether its latest start ended; a live session of one that did not is running.
  const recorded = await recordedState(loc.worktree).catch(() => undefined);
  if (session && !session.paneDead && (recorded === undefined || recorded === 'running')) {
    throw new SafetyError(
      `worker ${feature} is already running in tmux session ${loc.session}. Check it with 'wo status ${feature}' or watch it with 'wo attach ${feature}'; to start it again, end it first: 'wo kill ${feature} --force'.`,
    );
  }

  const exists = await stat(loc.worktree).then(
    () => true,
    () => false,
  );
  const base = opts.base ?? ws.defaultBase;
  if (!exists && !opts.create) {
    throw new SafetyError(
      `worker ${feature} has no worktree: ${loc.worktree} does not exist. Add --create to make it (branch ${loc.branch} from ${base ?? 'HEAD'}), or create it yourself: git worktree add -b ${loc.branch} ${loc.worktree}`,
    );
  }
  await assertBases(ws.git, ws.repoRoot, [{ loc, base }]);
  // The same preflight as wo run (SPEC §1: on PATH, logged in, trusted), before anything is created.
  const { preflight } = await import('../preflight/preflight.js');
  await preflight(
    {
      runner: ws.runner,
      env: ctx.env,
      cwd: ctx.cwd,
      repoRoot: ws.repoRoot,
      agents: { [agentName]: agent },
      worktreesDir: worktreesRoot(ws.layout),
      say: (text) => ctx.io.err(text),
    },
    (text) => ctx.io.err(text),
  );
  let branchNote = '';
  if (!exists) {
    if (await ws.git.branchExists(ws.repoRoot, loc.branch)) {
      branchNote = `existing branch ${loc.branch}`;
      if (opts.base)
        ctx.io.err(`wo: note: --base ${opts.base} is ignored: branch ${loc.branch} already exists\n`);
    } else branchNote = `new branch ${loc.branch} from ${base ?? 'HEAD'}`;
  } else if (opts.base) {
    ctx.io.err(`wo: note: --base ${opts.base} is ignored: the worktree ${loc.worktree} already exists\n`);
  }
  // Adopts an existing worktree (refusing a folder that is not one), or creates it with --create.
  const created = await ensureWorktree(ws.git, ws.runner, ws.repoRoot, loc, { base, env: ctx.env });
  // A worktree created now is on loc.branch; an adopted one may be on any branch.
  const branch = created
    ? loc.branch
    : ((await ws.git.worktrees(ws.repoRoot)).find((w) => w.path === loc.worktree)?.branch ?? loc.branch);

  // A finished session left open (an interactive agent stays after writing its status) is replaced.
  if (session) await ws.tmux.killSession(loc.session);
  // An agent's sandbox opens the git folders the repository knows, never what the worktree says.
  const dirs = await gitDirsOf(ws.git, ws.repoRoot, loc.worktree);

  await launchWorker(ws.tmux, {
    feature,
    task,
    agentName,
    agent,
    ...(ws.defaultModel !== undefined && { model: ws.defaultModel }),
    worktree: loc.worktree,
    branch,
    session: loc.session,
    stateDir: loc.stateDir,
    index: 0,
    baseEnv: ctx.env,
    env: ws.defaultEnv,
    recordExitInSession: true,
    exclusive: true,
    ...(dirs && { git: { ...dirs, branch } }),
  });

  const lines = [
    `started worker ${feature} (agent ${agentName}) in tmux session ${loc.session}`,
    `  worktree  ${loc.worktree}${created ? ` (created: ${branchNote})` : ` (branch ${branch})`}`,
    `  watch     wo attach ${feature}`,
    `  check     wo status ${feature}`,
    `  result    wo collect ${feature}`,
  ];
  ctx.io.out(`${lines.join('\n')}\n`);
  return 0;
}
