// What the imperative commands share: the repository, its layout, agents and the git/tmux interfaces.
import { Git } from './git/git.js';
import { Tmux } from './tmux/tmux.js';
import { processRunner, type Runner } from './process/run.js';
import {
  assertLayout,
  defaultLayout,
  locate,
  ownsWorktree,
  type Layout,
  type WorkerLocation,
} from './worktree/layout.js';
import { resolveSettings } from './plan/resolve.js';
import type { AgentDef, ResolvedSettings } from './plan/types.js';
import type { Context } from './context.js';

/**
 * What a workspace is opened with: resolveSettings' answer (a ResolvedPlan is one). `defaults`
 * matter only to a command that starts a worker no plan describes (wo spawn).
 */
export type Settings = Pick<ResolvedSettings, 'worktrees' | 'tmux' | 'agents'> &
  Partial<Pick<ResolvedSettings, 'defaults'>>;

export interface Workspace {
  repoRoot: string;
  layout: Layout;
  git: Git;
  tmux: Tmux;
  runner: Runner;
  agents: Record<string, AgentDef>;
  defaultAgent: string;
  /** The defaults' model (SPEC §11), for a worker no plan describes; undefined: the agent's own. */
  defaultModel?: string;
  defaultBase?: string;
  defaultEnv: Record<string, string>;
  locate(feature: string): WorkerLocation;
}

/**
 * Opens the repository around ctx.cwd with the given settings (resolveSettings': the config file,
 * or a plan; without them, the built-in defaults). EnvError (exit 3) outside a git repository.
 * WO_TMUX_SOCKET beats the settings' socket (SPEC §7).
 */
export async function openWorkspace(
  ctx: Pick<Context, 'cwd' | 'env'>,
  settings: Settings = resolveSettings({ config: {}, env: ctx.env }),
  runner: Runner = processRunner,
): Promise<Workspace> {
  const defaults = settings.defaults ?? resolveSettings({ config: {}, env: ctx.env }).defaults;
  const git = new Git(runner);
  const repoRoot = await git.repoRoot(ctx.cwd);
  const layout = defaultLayout(repoRoot, {
    worktreesDir: settings.worktrees.dir,
    branch: settings.worktrees.branch,
    prefix: settings.tmux.prefix,
  });
  assertLayout(layout);
  const socket = ctx.env.WO_TMUX_SOCKET || settings.tmux.socket || undefined;
  return {
    repoRoot,
    layout,
    git,
    // Only this repository's sessions are seen and ended (SPEC §1 session ownership).
    tmux: new Tmux(runner, socket).scoped((owner) => ownsWorktree(layout, owner)),
    runner,
    agents: settings.agents,
    defaultAgent: defaults.agent,
    ...(defaults.model !== undefined && { defaultModel: defaults.model }),
    defaultBase: defaults.base,
    defaultEnv: defaults.env,
    locate: (feature) => locate(layout, feature),
  };
}
