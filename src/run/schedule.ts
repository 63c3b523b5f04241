// The prepare+schedule stage: the driver (worktrees, sessions, protocol files) under the scheduler
// (concurrency, needs, retries, timeouts, rate limits), every event of both told to the listeners.
import type { WorkerRecord } from '../scheduler/types.js';
import { tryGroups } from './judge.js';
import { preloadOutputs } from './outputs.js';
import type { Stage } from './types.js';

export const schedule: Stage = {
  name: 'schedule',
  async run(r) {
    const { ctx, opts, plan, ws, selected } = r;
    const [{ RunDriver }, { schedule: runSchedule }] = await Promise.all([
      import('../worker/driver.js'),
      import('../scheduler/schedule.js'),
    ]);
    const driver = new RunDriver({
      awaitUsage: plan.maxRunCostUsd !== undefined,
      git: ws.git,
      tmux: ws.tmux,
      runner: ws.runner,
      layout: ws.layout,
      agents: plan.agents,
      runId: r.runId,
      env: ctx.env,
      keepSessions: opts.keepSessions,
      orphanRunId: r.lock.orphanRunId,
      onEvent: (e) => void r.events.tell(e),
      ...(r.rehearsal && { rehearsal: r.rehearsal }),
    });
    driver.prefetch(selected, plan.concurrency);
    // From here a first Ctrl-C drains the run and a second ends its workers; wo exits after the report.
    ctx.trapInterrupts = true;
    r.startedAt = Date.now();
    // The workers between start and end, for what a first Ctrl-C says (SPEC §4).
    const live = new Set<string>();
    // Workers waiting for a rate limit's reset, until when: a first Ctrl-C ends them at once.
    const pausedUntil = new Map<string, number>();
    const onDrain = () =>
      void r.events.tell({
        type: 'drain',
        live: [...live],
        pausedUntil: new Map(pausedUntil),
        at: Date.now(),
      });
    ctx.drain?.addEventListener('abort', onDrain, { once: true });
    let records: WorkerRecord[];
    let preloaded = false;
    try {
      await r.emit({
        type: 'workers-starting',
        runId: r.runId,
        features: selected.map((w) => w.feature),
        worktrees: Object.fromEntries(selected.map((w) => [w.feature, ws.locate(w.feature).worktree])),
        rehearsal: r.rehearsal !== undefined,
        at: r.startedAt,
      });
      records = await runSchedule({
        workers: selected,
        concurrency: plan.concurrency,
        ...(plan.maxRunCostUsd !== undefined && { maxCostUsd: plan.maxRunCostUsd }),
        driver,
        ...(r.bestOf.length > 0 && { groups: tryGroups(r) }),
        alreadyDone: r.alreadyDone,
        signal: ctx.signal,
        drain: ctx.drain,
        onEvent: (e) => {
          if (e.type === 'preparing') live.add(e.feature);
          if (e.type === 'finished') {
            live.delete(e.feature);
            if (!preloaded) preloadOutputs(); // the report's modules load while the rest run
            preloaded = true;
          }
          if (e.type === 'rate-limited' && e.until !== undefined) pausedUntil.set(e.feature, e.until);
          driver.noteEvent(e); // for wo status (queued, preparing, verifying)
          void r.events.tell(e);
        },
      });
    } finally {
      ctx.drain?.removeEventListener('abort', onDrain);
      // The views end (their summary) before the driver closes the sessions, as the run goes on to its report.
      await r.emit({ type: 'workers-ended', at: Date.now() }).finally(() => driver.close());
    }
    r.records = records;
  },
};
