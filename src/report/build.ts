// Builds the report model from the scheduler's records plus what only the caller knows (branch, worktree, result).
import type { AttemptRecord, WorkerRecord } from '../scheduler/types.js';
import { countOutcomes } from './summary.js';
import type { Diffstat, ReportAttempt, ReportUsage, ReportWorker, RunReport, ShardInfo } from './types.js';

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
  usage?: ReportUsage | null;
  waiting_ms?: number | null;
  last_screen?: string | null;
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
      agent: w?.agent ?? null,
      agent_version: w?.agent_version ?? null,
      usage: w?.usage ?? null,
      waiting_ms: w?.waiting_ms ?? null,
      last_screen: w?.last_screen ?? null,
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
    usage: totalUsage(workers.map((w) => w.usage)),
    workers,
  };
}

/** The run's usage: each field added up over the workers that reported it; null when none did. */
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
