// Builds the report model from the scheduler's records plus what only the caller knows (branch, worktree, result).
import type { AttemptRecord, WorkerRecord } from '../scheduler/types.js';
import { countOutcomes } from './summary.js';
import type { Diffstat, ReportAttempt, ReportWorker, RunReport, ShardInfo } from './types.js';

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
      attempt_details: r.attempts.map(attemptOf),
    };
  });
  return {
    run_id: input.runId,
    plan: input.plan,
    started_at: iso(input.startedAt),
    finished_at: iso(input.finishedAt),
    duration_ms: input.finishedAt - input.startedAt,
    summary: countOutcomes(workers.map((w) => w.outcome)),
    shard: input.shard ?? null,
    workers,
  };
}
