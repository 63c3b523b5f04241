// What a run's stages share: the flags it was given, and what each stage found or made for the next.
import type { Context } from '../context.js';
import type { RunLock } from '../lock.js';
import type { ResolvedPlan, WorkerSpec } from '../plan/types.js';
import type { Radar } from '../integrate/radar.js';
import type { ReportWorker, RunReport, WorkerInfo, WrittenReport } from '../report/index.js';
import type { ReportIntegration } from '../report/types.js';
import type { WorkerRecord } from '../scheduler/types.js';
import type { ShardInfo } from '../report/types.js';
import type { AgentCheck } from '../preflight/preflight.js';
import type { Workspace } from '../workspace.js';
import type { Rehearsal } from '../rehearsal/rehearsal.js';
import type { RunEvent, RunEvents } from './events.js';
import type { ReportTry } from '../report/types.js';
import type { TryFacts, TryVerdict } from '../life/tries.js';
import type { Outcome } from '../life/state.js';

/** A best-of worker of this run: its spec and its tries' (try k at index k-1). */
export interface BestOf {
  spec: WorkerSpec;
  tries: WorkerSpec[];
}

/** How a best-of worker's tries were judged, for the judge stage and the report. */
export interface Judged {
  outcome: Outcome;
  reason?: string;
  /** The winning try's k; undefined when none won. */
  winner?: number;
  facts: TryFacts[];
  verdicts: TryVerdict[];
}

export interface RunOptions {
  only?: string[];
  failed?: boolean;
  concurrency?: number;
  timeout?: string;
  dryRun?: boolean;
  report?: string;
  json?: boolean;
  keepSessions?: boolean;
  /** `--junit FILE`: also write the report as JUnit XML. */
  junit?: string;
  /** `--shard i/n`: run the i-th of n deterministic parts of the plan (SPEC §8). */
  shard?: string;
  /** `--timings FILE`: the durations shards are balanced by (default .wo/timings.json). */
  timings?: string;
  /** `--push`: push the branches of done workers with commits; `--pr` also opens draft pull requests. */
  push?: boolean;
  /** `--pr each` keeps one pull request per worker when the plan integrates (SPEC §10). */
  pr?: boolean | 'each';
  /** `--rehearse [FILE]`: every agent against the scripted model (SPEC §12); a string is the rehearsal script. */
  rehearse?: boolean | string;
}

/**
 * The run's context: a command's, without its output. A run prints nothing; it tells its listeners.
 * `trapInterrupts` is set once the workers are scheduled (from then on Ctrl-C drains the run).
 */
export type RunContext = Omit<Context, 'io'>;

/** One stage of a run: a name for its events, and what it does to the run's state. */
export interface Stage {
  readonly name: string;
  // A stage with nothing to wait for may finish at once.
  run(run: RunState): Promise<void> | void;
}

/** How a run ended: its exit code, and for a dry run the text of what it would do. */
export interface RunResult {
  /** One of ExitCode's. */
  code: number;
  dryRun?: string;
  /** The report, once built (printed whole by `--json`). */
  report?: RunReport;
}

/**
 * The state a run's stages pass on, in stage order. A field is set by the stage named beside it and
 * read only by later ones (the `!`: a stage never runs before the one that sets what it reads).
 */
export class RunState {
  /** select: the plan, its file (absolute) and the workspace around it. */
  plan!: ResolvedPlan;
  planFile!: string;
  ws!: Workspace;
  /** select: tmux's version check, started while the selection is worked out (a dry run never waits for it). */
  tmuxUsable!: Promise<void>;
  /** select: the workers this run starts; those outside it done for `needs`; --failed's carried-over ones. */
  selected!: WorkerSpec[];
  alreadyDone!: Set<string>;
  carried!: ReportWorker[];
  /** select: the best-of workers (SPEC §11), whose tries are in `selected` in their place. */
  bestOf: BestOf[] = [];
  /** schedule: how each best-of worker's tries were judged, once they ended (judge.ts). */
  readonly judged = new Map<string, Judged>();
  /** judge: each best-of worker's tries, as the report lists them. */
  readonly tries = new Map<string, ReportTry[]>();
  /** select: `--shard i/n`, or `auto` read from the CI's own variables; null without --shard. */
  shard: ShardInfo | null = null;
  /** rehearsal: with --rehearse, the scripted model server and the agents' homes (SPEC §12). */
  rehearsal?: Rehearsal;
  /** preflight: every agent the selection uses, checked; the remote the hand-off pushes to. */
  agentChecks!: AgentCheck[];
  remote!: string;
  /** lock: this run's id and the repository's run lock. */
  runId!: string;
  lock!: RunLock;
  /** schedule: when the workers were started, and how each ended. */
  startedAt!: number;
  records!: WorkerRecord[];
  /** facts: what the report says of each worker besides its record (branch facts, agent, result). */
  workers!: WorkerInfo[];
  /** radar (with `integrate:`): the conflict radar, and the branch HEAD was on as the run began. */
  radar?: Radar;
  integrationBase?: string;
  /** integrate (with `integrate:`): how the done workers were merged into one branch (SPEC §10). */
  integration?: ReportIntegration;
  /** report: the report, which hand-off and outputs complete and write. */
  report!: RunReport;
  /** hand-off: a push or pull request that did not succeed, which makes the run exit 1 (SPEC §6). */
  handOffFailed = false;
  /** outputs: where the report was written (undefined: it could not be). */
  written?: WrittenReport;

  /** Set by a stage that ends the run early (a dry run, nothing to run); later stages do not run. */
  result?: RunResult;
  /** Run when the run ends, whatever happened, last added first (the lock's release). */
  readonly cleanups: Array<() => Promise<void>> = [];

  constructor(
    readonly ctx: RunContext,
    readonly planArg: string,
    readonly opts: RunOptions,
    readonly events: RunEvents,
  ) {}

  /** Tells the listeners and waits for them. */
  emit(event: RunEvent): Promise<void> {
    return this.events.emit(event);
  }

  /** Lines for the person running wo, told at once (what a listener does with them is its own). */
  notice(text: string): void {
    void this.events.tell({ type: 'notice', text, at: Date.now() });
  }
}
