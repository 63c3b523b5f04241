// The settings the imperative commands open the workspace with, and opening it with the checks
// every command shares (git present and new enough, tmux when the command needs it).
import type { Context } from '../context.js';
import { EnvError } from '../errors.js';
import { processRunner } from '../exec.js';
import { Git } from '../git/git.js';
import { assertGit, assertTmux } from '../worker/requirements.js';
import { openWorkspace, type Settings, type Workspace } from '../workspace.js';

/**
 * The user's and repository's defaults for the imperative commands: the config file (SPEC §3),
 * searched from the current folder up. A broken config is an error naming the file (exit 2).
 */
export async function loadSettings(ctx: Context): Promise<Settings> {
  const { loadConfigOrThrow } = await import('../plan/config.js');
  const { config } = await loadConfigOrThrow(ctx.cwd, { cwd: ctx.cwd, env: ctx.env });
  const agents: Settings['agents'] = {};
  for (const [name, a] of Object.entries(config.agents ?? {}))
    agents[name] = { command: [...a.command], ...(a.env && { env: { ...a.env } }), exitsWhenDone: true };
  return {
    worktrees: config.worktrees,
    tmux: config.tmux,
    agents,
    defaults: { agent: config.defaults?.agent, base: config.defaults?.base, env: config.defaults?.env },
  };
}

/**
 * Opens the repository around ctx.cwd with the loaded settings. EnvError (exit 3) outside a
 * repository, when git is missing or too old, and (with `tmux`) when tmux is missing or too old.
 */
export async function openCommandWorkspace(ctx: Context, o: { tmux?: boolean } = {}): Promise<Workspace> {
  const settings = await loadSettings(ctx);
  let ws: Workspace;
  try {
    ws = await openWorkspace(ctx, settings);
  } catch (e) {
    // git missing or older than 2.31 makes `rev-parse --path-format` fail: say which it is.
    if (e instanceof EnvError) await assertGit(new Git(processRunner));
    throw e;
  }
  if (o.tmux) await assertTmux(ws.tmux);
  return ws;
}
