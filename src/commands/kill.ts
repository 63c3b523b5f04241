// wo kill <feature>: end a worker's session, or every try's of a best-of worker (SPEC §11). A running
// worker is refused unless --force; the worker's result and status files are always kept (SPEC §4
// safety table).
import type { Context } from '../context.js';
import { SafetyError } from '../errors.js';
import type { Workspace } from '../workspace.js';
import { stopWorker } from '../worker/end.js';
import {
  assertFeatureName,
  findTries,
  findWorkers,
  unknownWorker,
  type WorkerView,
} from '../worker/inspect.js';
import { parseTry } from '../life/tries.js';
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
  // A best-of worker has no session of its own: its tries are what runs (SPEC §11).
  const tries = v?.session || parseTry(feature) ? [] : await findTries(ws, feature);
  if (tries.length > 0) return killTries(ctx, ws, feature, tries, opts);
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
  ctx.io.out(killedText(v, running));
  return 0;
}

/**
 * Ends every try of a best-of worker that has a session, naming each. As for one worker, a running
 * try is refused unless --force, and then nothing is killed.
 */
async function killTries(
  ctx: Context,
  ws: Workspace,
  feature: string,
  tries: WorkerView[],
  opts: KillOptions,
): Promise<number> {
  const live = tries.filter((t) => t.session);
  const running = live.filter((t) => t.status === 'running');
  if (running.length && !opts.force) {
    const names = running.map((t) => t.feature).join(', ');
    throw new SafetyError(
      `worker ${feature} has ${running.length === 1 ? 'a try' : `${running.length} tries`} still running (${names}); 'wo kill ${feature} --force' ends ${running.length === 1 ? 'it' : 'them'} (the result files are kept). Nothing was killed.`,
    );
  }
  for (const t of live) {
    const wasRunning = t.status === 'running';
    await stopWorker(ws.tmux, t, wasRunning ? KILL_REASON : undefined);
    ctx.io.out(killedText(t, wasRunning));
  }
  for (const t of tries.filter((x) => !x.session)) {
    // A try the live run has not started yet is the run's to start: wo kill cannot take it off its queue.
    ctx.io.out(
      t.live === 'queued' || t.live === 'preparing'
        ? `try ${t.feature} has not started yet (${t.live}), so it has no session: the run will start it; end the run (Ctrl-C) to stop it.\n`
        : `try ${t.feature} has no session (status: ${t.status}); nothing to kill.\n`,
    );
  }
  if (live.length === 0) ctx.io.out(`worker ${feature}: no try has a session; nothing was killed.\n`);
  return 0;
}

/** What `wo kill` says of a worker (or try) whose session it ended. */
function killedText(v: WorkerView, wasRunning: boolean): string {
  return wasRunning
    ? `killed session ${v.loc.session}: worker ${v.feature} was running and is recorded as failed (${KILL_REASON}). Its files are kept in ${v.loc.worktree}\n`
    : `killed session ${v.loc.session} (worker ${v.feature} was ${v.status}). Its files are kept in ${v.loc.worktree}\n`;
}
