// Ending a worker's session from a command (wo kill, kill-all, clean). Result and status files are
// never deleted; a worker ended while running is recorded as failed with the reason.
import { stat } from 'node:fs/promises';
import type { Tmux } from '../tmux/tmux.js';
import type { WorkerView } from './inspect.js';
import { updateMeta } from './metadata.js';
import { readExitCode, recordFailure } from './protocol.js';

/** Kills the worker's session (false when there was none). With `reason`, a running worker is recorded failed. */
export async function endWorker(tmux: Tmux, v: WorkerView, reason?: string): Promise<boolean> {
  const killed = await tmux.killSession(v.loc.session);
  const isDir = await stat(v.loc.worktree).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (reason && v.status === 'running' && isDir && (v.hasStatusFile || v.meta.worker)) {
    await recordFailure(v.loc.worktree, reason);
    const finishedAt = new Date().toISOString();
    v.status = 'failed';
    v.reason = reason;
    v.finishedAt = finishedAt;
    if (v.meta.worker) {
      v.meta = await updateMeta(v.loc.worktree, {
        worker: {
          finished_at: finishedAt,
          status: 'failed',
          exit_code: (await readExitCode(v.loc.stateDir)) ?? null,
        },
      });
    }
  }
  return killed;
}
