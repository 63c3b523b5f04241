// The facts stage: what the report says of each worker besides its record: the commits and diffstat
// of its branch, what its agent reported (version, usage, waiting, last screen), its result file.
import { allBranchFacts } from '../handoff/handoff.js';
import { agentReport } from '../worker/agent-report.js';
import { protocolPaths, readResult } from '../protocol/protocol.js';
import { takeRefusedNotes } from '../fsutil.js';
import type { Stage } from './types.js';

export const facts: Stage = {
  name: 'facts',
  async run(r) {
    const { ws, plan, records } = r;
    // A best-of worker's tries are specs of their own (SPEC §11), made at selection.
    const specs = new Map([...plan.workers, ...r.selected].map((w) => [w.feature, w]));
    // Commits and diffstat of every branch a worker ran on, in a few git calls.
    const branches = await allBranchFacts(
      ws.git,
      ws.repoRoot,
      records
        .filter((rec) => rec.attempts.length > 0)
        .map((rec) => ({ branch: ws.locate(rec.feature).branch, base: specs.get(rec.feature)?.base })),
    );
    r.workers = await Promise.all(
      records.map(async (rec) => {
        const loc = ws.locate(rec.feature);
        const ran = rec.attempts.length > 0;
        const mine = ran ? branches.get(loc.branch) : undefined;
        const spec = specs.get(rec.feature);
        const agent = spec?.agent;
        const check = r.agentChecks.find((c) => c.agent === agent);
        const version = check?.version;
        const told = await agentReport(loc.stateDir, {
          agent,
          // The plan's adapter, not the one a worker may have named in its folder (SPEC §9).
          ...(check && { adapter: check.adapter ?? null }),
          version,
          endedAt: rec.finishedAt ?? Date.now(),
          ran,
          outcome: rec.outcome,
          log: protocolPaths(loc.worktree).log,
          env: r.ctx.env,
        });
        return {
          ...loc,
          ...mine,
          ...told,
          ...(spec?.model !== undefined && { model: spec.model }),
          result: (await readResult(loc.worktree)) ?? null,
        };
      }),
    );
    // What a worker put in place of a file wo reads (a FIFO, a device, a link out) was not read: said once.
    for (const note of takeRefusedNotes()) r.notice(`wo: ${note}\n`);
  },
};
