// A run, from selection to outputs, as a list of stages over one stream of run events (events.ts).
// Each stage is one module; a new one (SPEC v3 §11's judging of tries, §10's integration) is that
// module plus one line in STAGES. `wo run` (commands/run.ts) adds its listeners and prints.
import { ExitCode } from '../errors.js';
import { dryRun } from './dry-run.js';
import { RunEvents, type RunListener } from './events.js';
import { facts } from './facts.js';
import { handOff } from './hand-off.js';
import { integrate, radar } from './integrate.js';
import { judge } from './judge.js';
import { lock } from './lock.js';
import { outputs } from './outputs.js';
import { preflight } from './preflight.js';
import { rehearsal, rehearsalReport } from './rehearsal.js';
import { report } from './report.js';
import { schedule } from './schedule.js';
import { select } from './select.js';
import { RunState, type RunContext, type RunOptions, type RunResult, type Stage } from './types.js';
import { writeBack } from './write-back.js';

/**
 * The stages of a run, in order. Nothing is created before `lock`; after `schedule` every stage
 * runs on the records (a judging of tries or an integration goes between `facts` and `report`).
 */
export const STAGES: readonly Stage[] = [
  select,
  dryRun,
  rehearsal,
  preflight,
  lock,
  radar,
  schedule,
  writeBack,
  facts,
  judge,
  integrate,
  report,
  rehearsalReport,
  handOff,
  outputs,
];

/**
 * Runs the plan `planArg` through `stages`, telling `listeners` every event. The exit code: 130
 * when the run was interrupted, 0 when every worker is done and a requested hand-off succeeded, 1
 * otherwise; a stage that ends the run
 * early (a dry run, nothing to run) says its own.
 */
export async function runPlan(
  ctx: RunContext,
  planArg: string,
  opts: RunOptions,
  listeners: readonly RunListener[],
  stages: readonly Stage[] = STAGES,
): Promise<RunResult> {
  const events = new RunEvents();
  for (const l of listeners) events.on(l);
  const run = new RunState(ctx, planArg, opts, events);
  try {
    for (const stage of stages) {
      await run.emit({ type: 'stage', stage: stage.name, at: Date.now() });
      await stage.run(run);
      if (run.result) return run.result;
    }
  } finally {
    for (const cleanup of [...run.cleanups].reverse()) await cleanup();
  }
  const code = ctx.signal.aborted
    ? ExitCode.interrupted
    : run.records.every((r) => r.outcome === 'done') &&
        !run.handOffFailed &&
        // SPEC §6: an integration that is not `integrated`, or whose branch's hand-off failed, is exit 1.
        (run.integration === undefined ||
          (run.integration.outcome === 'integrated' && !run.integration.handoff_error))
      ? ExitCode.ok
      : ExitCode.notAllDone;
  return { code, report: run.report };
}
