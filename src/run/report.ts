// The report stage: the run's report built from the records and the facts (SPEC §5); hand-off and
// outputs complete and write it.
import { relative } from 'node:path';
import { buildReport } from '../report/build.js';
import type { Stage } from './types.js';

export const report: Stage = {
  name: 'report',
  run(r) {
    r.report = buildReport({
      runId: r.runId,
      plan: relative(r.ws.repoRoot, r.planFile),
      startedAt: r.startedAt,
      finishedAt: Date.now(),
      records: r.records,
      workers: r.workers,
      shard: r.shard,
      // --failed: the workers it did not re-run are listed too, carried over, in plan order (SPEC §5).
      carried: r.carried,
      order: r.plan.workers.map((w) => w.feature),
      tries: r.tries,
    });
    // SPEC §10: with `integrate:`, the integration and what the radar predicted.
    if (r.integration) r.report.integration = r.integration;
    if (r.radar) r.report.predicted_conflicts = [...r.radar.found];
  },
};
