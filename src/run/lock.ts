// The lock stage: this run's id, and the repository's run lock (one live `wo run` per repository),
// released when the run ends.
import { join } from 'node:path';
import { acquireRunLock } from '../lock.js';
import { newRunId } from '../report/run-id.js';
import type { Stage } from './types.js';

export const lock: Stage = {
  name: 'lock',
  async run(r) {
    r.runId = newRunId(new Date());
    r.lock = await acquireRunLock(join(r.ws.repoRoot, '.wo', 'run.lock'), r.runId);
    // A lock that cannot be removed (a read-only .wo/) is taken over by the next run: its holder is gone.
    r.cleanups.push(() => r.lock.release().catch(() => undefined));
  },
};
