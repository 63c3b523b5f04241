// The settings the imperative commands open the workspace with, and opening it with the checks
// every command shares (git present and new enough, tmux when the command needs it).
import type { Context } from '../context.js';
import { EnvError } from '../errors.js';
import { processRunner } from '../process/run.js';
import { Git } from '../git/git.js';
import { assertGit, assertTmux } from '../preflight/requirements.js';
import type { ResolvedSettings } from '../plan/types.js';
import { openWorkspace, type Workspace } from '../workspace.js';

/**
 * The user's and repository's settings for the commands without a plan: the config file (SPEC §3),
 * searched from the current folder up, resolved as wo run resolves it (resolveSettings). A broken
 * config is an error naming the file (exit 2).
 */
export async function loadSettings(ctx: Context): Promise<ResolvedSettings> {
  const [{ loadConfigOrThrow }, { resolveSettings }] = await Promise.all([
    import('../plan/config.js'),
    import('../plan/resolve.js'),
  ]);
  const { config } = await loadConfigOrThrow(ctx.cwd, { cwd: ctx.cwd, env: ctx.env });
  return resolveSettings({ config, env: ctx.env });
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
