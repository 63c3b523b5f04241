// wo kill <feature>: end a worker's session. A running worker is refused unless --force; the
// worker's result and status files are always kept (SPEC §4 safety table).
import type { Context } from '../context.js';
import { SafetyError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { stopWorker } from '../worker/end.js';
import { assertFeatureName, findWorkers, unknownWorker } from '../worker/inspect.js';
import { openCommandWorkspace } from './settings.js';

export interface KillOptions {
  force?: boolean;
}

export const KILL_REASON = 'killed by wo kill --force';

export async function killCommand(ctx: Context, feature: string, opts: KillOptions = {}) {
  assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return killWorker(ctx, ws, feature, opts);
}

export async function killWorker(
  ctx: Context,
  ws: Workspace,
  feature: string,
  opts: KillOptions,
): Promise<number> {
  const [v] = await findWorkers(ws, { feature });
  if (!v) throw await unknownWorker(ws, feature);
  if (!v.session) {
    ctx.io.out(
      `worker ${feature} has no session (status: ${v.status}); nothing to kill. Its files are in ${v.loc.worktree}\n`,
    );
    return 0;
  }
  const running = v.status === 'running';
  if (running && !opts.force) {
    throw new SafetyError(
      `worker ${feature} is still running; 'wo kill ${feature} --force' ends it (its result files are kept). Nothing was killed.`,
    );
  }
  await stopWorker(ws.tmux, v, running ? KILL_REASON : undefined);
  ctx.io.out(
    running
      ? `killed session ${v.loc.session}: worker ${feature} was running and is recorded as failed (${KILL_REASON}). Its files are kept in ${v.loc.worktree}\n`
      : `killed session ${v.loc.session} (worker ${feature} was ${v.status}). Its files are kept in ${v.loc.worktree}\n`,
  );
  return 0;
}
