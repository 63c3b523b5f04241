// A worker started by `wo spawn` has no runner watching it. When its agent exits, the session
// wrapper runs `wo _record-exit WORKTREE STATE_DIR` (bin/wo.cjs), which lands here: its files then
// say how it ended at once, decided by outcome.ts like every other end.
import { diskFiles } from '../protocol/worker-files.js';
import { readMeta } from '../protocol/metadata.js';
import { decide } from '../life/outcome.js';
import { endLeftovers } from '../process/tree.js';

export async function recordExit(worktree: string, stateDir: string): Promise<void> {
  const loc = { worktree, stateDir };
  const d = decide({ ...(await diskFiles.read(loc)), session: 'unknown' });
  if (!d.final) return; // no exit record: nothing to say yet
  if (d.record) await diskFiles.record(loc, d.record);
  if ((await readMeta(worktree)).worker)
    await diskFiles.finished(worktree, { status: d.status, exitCode: d.exitCode, at: Date.now() });
  // What the agent left running ends with it (SPEC §9), as when a run's worker ends.
  await endLeftovers(worktree).catch(() => undefined);
}
