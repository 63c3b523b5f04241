// The write-back stage: each worker's outcome and times go into its .worktree.json too, so that wo
// status and wo collect later say `timeout`, `crashed` or `interrupted`, and the same duration, as the
// report does (SPEC §5).
import { readMeta, updateMeta } from '../protocol/metadata.js';
import type { Stage } from './types.js';

export const writeBack: Stage = {
  name: 'write-back',
  async run(r) {
    const { ws, runId } = r;
    await Promise.all(
      r.records.map(async (rec) => {
        const wt = ws.locate(rec.feature).worktree;
        if ((await readMeta(wt)).worker?.run_id !== runId) return; // not started by this run
        const at = (ms: number | undefined) => (ms === undefined ? undefined : new Date(ms).toISOString());
        const worker = {
          outcome: rec.outcome,
          outcome_run_id: runId,
          ...(rec.startedAt !== undefined && rec.finishedAt !== undefined
            ? { started_at: at(rec.startedAt), finished_at: at(rec.finishedAt) }
            : {}),
        };
        // Best effort: the report holds the outcome; a worktree removed meanwhile has no file to update.
        await updateMeta(wt, { worker }).catch(() => undefined);
      }),
    );
  },
};
