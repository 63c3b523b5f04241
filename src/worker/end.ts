// Ending a worker's session from a command (wo kill, kill-all, clean). Result and status files are
// never deleted; a worker ended while running is recorded as failed with the reason (outcome.ts).
import { stat } from 'node:fs/promises';
import type { Tmux } from '../tmux/tmux.js';
import { diskFiles, type WorkerFiles } from '../protocol/worker-files.js';
import { recordView, type WorkerView } from './inspect.js';
import { decide } from '../life/outcome.js';
import { stopSession } from '../session/stop.js';
import { forgetEnv } from '../session/launch.js';

/** Kills the worker's session (false when there was none). With `reason`, a running worker is recorded failed. */
export async function stopWorker(
  tmux: Tmux,
  v: WorkerView,
  reason?: string,
  files: WorkerFiles = diskFiles,
): Promise<boolean> {
  // A person's kill means now: the agent is not asked first (session/stop.ts).
  const killed = await stopSession(tmux, v.loc.session);
  // The environment it was given does not outlive it on disk (SPEC §9).
  await forgetEnv(v.loc.stateDir);
  const isDir = await stat(v.loc.worktree).then(
    (s) => s.isDirectory(),
    () => false,
  );
  if (reason && v.status === 'running' && isDir && (v.hasStatusFile || v.meta.worker)) {
    const facts = await files.read(v.loc);
    v.decision = decide({ ...facts, session: 'gone', stoppedBy: reason });
    v.status = 'failed';
    v.reason = reason;
    v.unrecorded = true;
    v.finishedAt = undefined;
    await recordView(v, files);
  }
  return killed;
}
