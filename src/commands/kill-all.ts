// wo kill-all: end every worker session ({prefix}*). Refused while any worker is running unless
// --force; nothing is killed on a refusal, and result files are always kept.
import type { Context } from '../context.js';
import { SafetyError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { stopWorker } from '../worker/end.js';
import { findWorkers } from '../worker/inspect.js';
import { openCommandWorkspace } from './settings.js';

export interface KillAllOptions {
  force?: boolean;
}

export const KILL_ALL_REASON = 'killed by wo kill-all --force';

export async function killAllCommand(ctx: Context, opts: KillAllOptions = {}) {
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return killAll(ctx, ws, opts);
}

export async function killAll(ctx: Context, ws: Workspace, opts: KillAllOptions): Promise<number> {
  const sessions = (await ws.tmux.listSessions()).filter((s) => s.name.startsWith(ws.layout.prefix));
  // Sessions whose name is not a valid worker name still end; they are nobody's worker to record.
  const views = (await findWorkers(ws)).filter((v) => v.session);
  const running = views.filter((v) => v.status === 'running');
  const odd = sessions.filter((s) => !views.some((v) => v.loc.session === s.name));
  const oddRunning = odd.filter((s) => !s.paneDead);
  if (sessions.length === 0) {
    ctx.io.out(`no ${ws.layout.prefix}* sessions; nothing to kill.\n`);
    return 0;
  }
  if ((running.length || oddRunning.length) && !opts.force) {
    const names = [...running.map((v) => v.feature), ...oddRunning.map((s) => s.name)];
    throw new SafetyError(
      `${names.length === 1 ? '1 worker is' : `${names.length} workers are`} still running (${names.join(', ')}); 'wo kill-all --force' ends them (their result files are kept). Nothing was killed.`,
    );
  }
  for (const v of views) {
    const wasRunning = v.status === 'running';
    await stopWorker(ws.tmux, v, wasRunning ? KILL_ALL_REASON : undefined);
    ctx.io.out(
      `killed ${v.loc.session} (${wasRunning ? `was running; recorded as failed: ${KILL_ALL_REASON}` : v.status})\n`,
    );
  }
  for (const s of odd) {
    await ws.tmux.killSession(s.name);
    ctx.io.out(`killed ${s.name}\n`);
  }
  ctx.io.out(`${sessions.length} session${sessions.length === 1 ? '' : 's'} ended; result files are kept.\n`);
  return 0;
}
