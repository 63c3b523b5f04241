// Builds the report model from the scheduler's records plus what only the caller knows (branch, worktree, result).
import type { AttemptRecord, WorkerRecord } from '../scheduler/types.js';
import { countOutcomes } from './summary.js';
import type {
  Diffstat,
  ReportAttempt,
  ReportDenial,
  ReportTry,
  ReportUsage,
  ReportWorker,
  RunReport,
  RunUsage,
  ShardInfo,
} from './types.js';

/** What the caller knows about one worker besides its record. Extra keys are ignored. */
export interface WorkerInfo {
  feature: string;
  branch: string;
  worktree: string;
  /** The text of .worker-result.md; null/undefined when there was none. */
  result?: string | null;
  /** Commits ahead of the base and their diffstat (see src/handoff); null/undefined when unknown. */
  commits?: number | null;
  diffstat?: Diffstat | null;
  /** The agent, its version, usage, waiting time and last screen (src/agents); null when unknown. */
  agent?: string | null;
  agent_version?: string | null;
  /** The model the plan named for its agent (SPEC §11); undefined: the agent's own choice. */
  model?: string;
  usage?: ReportUsage | null;
  waiting_ms?: number | null;
  last_screen?: string | null;
  /** Tool uses its agent's permissions denied; none or empty: none recorded. */
  permission_denials?: readonly ReportDenial[];
}

export interface ReportInput {
  runId: string;
  plan: string;
  /** Epoch ms. */
  startedAt: number;
  finishedAt: number;
  /** In plan order, as schedule() returns them. */
  records: readonly WorkerRecord[];
  workers: readonly WorkerInfo[];
  shard?: ShardInfo | null;
  /**
   * Workers of the plan this run did not run, as the earlier run that last ran each reported them
   * (`wo run --failed`): listed with `from_run`, never counted (see carriedOver).
   */
  carried?: readonly ReportWorker[];
  /** The plan's features in plan order: the report lists its workers so (default: records, then carried). */
  order?: readonly string[];
  /** Each best-of worker's tries (SPEC §11), by its feature. */
  tries?: ReadonlyMap<string, ReportTry[]>;
}

const iso = (ms: number): string => new Date(ms).toISOString();
const isoOrNull = (ms: number | undefined): string | null => (ms === undefined ? null : iso(ms));

function attemptOf(a: AttemptRecord): ReportAttempt {
  return {
    attempt: a.attempt,
    outcome: a.outcome,
    reason: a.reason ?? null,
    started_at: iso(a.startedAt),
    finished_at: iso(a.finishedAt),
    duration_ms: a.finishedAt - a.startedAt,
    exit_code: a.exitCode ?? null,
    adopted: a.adopted ?? false,
  };
}

/** A pure function: reads no files, so the caller decides where result texts come from. */
export function buildReport(input: ReportInput): RunReport {
  const info = new Map(input.workers.map((w) => [w.feature, w]));
  const workers = input.records.map((r): ReportWorker => {
    const w = info.get(r.feature);
    return {
      feature: r.feature,
      outcome: r.outcome,
      from_run: null,
      reason: r.reason ?? null,
      attempts: r.attempts.length,
      started_at: isoOrNull(r.startedAt),
      finished_at: isoOrNull(r.finishedAt),
      duration_ms:
        r.startedAt !== undefined && r.finishedAt !== undefined ? r.finishedAt - r.startedAt : null,
      branch: w?.branch ?? '',
      worktree: w?.worktree ?? '',
      exit_code: r.exitCode ?? null,
      result: w?.result ?? null,
      commits: w?.commits ?? null,
      diffstat: w?.diffstat ?? null,
      pushed: null,
      pr_url: null,
      handoff_error: null,
      agent: w?.agent ?? null,
      agent_version: w?.agent_version ?? null,
      ...(w?.model !== undefined && { model: w.model }),
      usage: w?.usage ?? null,
      ...(input.tries?.has(r.feature) && { tries: input.tries.get(r.feature) }),
      waiting_ms: w?.waiting_ms ?? null,
      rate_limited_ms: r.rateLimitedMs ?? null,
      last_screen: w?.last_screen ?? null,
      ...(w?.permission_denials?.length && { permission_denials: [...w.permission_denials] }),
      attempt_details: r.attempts.map(attemptOf),
    };
  });
  const ran = new Set(workers.map((w) => w.feature));
  const all = workers.concat((input.carried ?? []).filter((w) => !ran.has(w.feature)));
  const at = new Map((input.order ?? []).map((f, i) => [f, i]));
  if (at.size) all.sort((a, b) => (at.get(a.feature) ?? Infinity) - (at.get(b.feature) ?? Infinity));
  return {
    run_id: input.runId,
    plan: input.plan,
    started_at: iso(input.startedAt),
    finished_at: iso(input.finishedAt),
    duration_ms: input.finishedAt - input.startedAt,
    // The counts, and the usage, are about what this run did.
    summary: countOutcomes(workers.map((w) => w.outcome)),
    shard: input.shard ?? null,
    usage: runUsage(workers),
    workers: all,
  };
}

/** The workers of a report that this run ran (not carried over from an earlier run). */
export const ranThisRun = (report: Pick<RunReport, 'workers'>): ReportWorker[] =>
  report.workers.filter((w) => !w.from_run);

/**
 * A worker line of an earlier report, carried into this one: every key of today's shape (a key an
 * older report lacks is null), and `from_run` the run that reported it (that run's own `from_run`
 * when it had carried the line itself).
 */
export function carriedOver(past: Partial<ReportWorker> & { feature: string }, runId: string): ReportWorker {
  const unknown: Omit<ReportWorker, 'feature' | 'outcome' | 'from_run'> = {
    reason: null,
    attempts: 0,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    branch: '',
    worktree: '',
    exit_code: null,
    result: null,
    commits: null,
    diffstat: null,
    pushed: null,
    pr_url: null,
    handoff_error: null,
    agent: null,
    agent_version: null,
    usage: null,
    waiting_ms: null,
    rate_limited_ms: null,
    last_screen: null,
    attempt_details: [],
  };
  return {
    ...unknown,
    ...past,
    feature: past.feature,
    outcome: past.outcome ?? 'skipped',
    from_run: past.from_run || runId,
  };
}

/**
 * The run's usage over this run's workers (carried-over ones are another run's), naming those that
 * ran and reported no cost: a total that leaves them out says so (SPEC §5). Null when none reported.
 */
export function runUsage(workers: readonly ReportWorker[]): RunUsage | null {
  const ran = workers.filter((w) => !w.from_run);
  const total = totalUsage(ran.map((w) => w.usage));
  if (!total) return null;
  const leftOut = ran.filter((w) => w.attempts > 0 && w.usage?.cost_usd == null).map((w) => w.feature);
  return { ...total, cost_left_out: leftOut };
}

/** Usage added up: each field over the workers that reported it; null when none did. */
export function totalUsage(all: ReadonlyArray<ReportUsage | null>): ReportUsage | null {
  const known = all.filter((u): u is ReportUsage => u !== null);
  if (known.length === 0) return null;
  const sum = (k: keyof ReportUsage): number | null => {
    const values = known.map((u) => u[k]).filter((v): v is number => v !== null);
    return values.length ? values.reduce((a, b) => a + b, 0) : null;
  };
  return {
    input_tokens: sum('input_tokens'),
    output_tokens: sum('output_tokens'),
    cache_read_tokens: sum('cache_read_tokens'),
    cost_usd: sum('cost_usd'),
  };
}
