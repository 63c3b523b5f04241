// The shape of report.json (SPEC §5) and of .wo/last-run.json, exactly as written to disk.
import { isOutcome, OUTCOMES, type Outcome } from '../life/state.js';

export type { Outcome };
/** Every outcome, in the order summaries list them (one list: src/worker/state.ts). */
export { OUTCOMES };

/** A plain object (not null, not an array): what a JSON object parses to. */
export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Whether parsed JSON has a report's workers: a list of objects each with a feature and a known outcome. */
export function hasReportWorkers(v: unknown): v is Record<string, unknown> & { workers: unknown[] } {
  return (
    isObject(v) &&
    Array.isArray(v.workers) &&
    v.workers.every(
      (w) =>
        isObject(w) && typeof w.feature === 'string' && typeof w.outcome === 'string' && isOutcome(w.outcome),
    )
  );
}

/** Counts by outcome; all six keys are always present. */
export type OutcomeCounts = Record<Outcome, number>;

/** One attempt of a worker (an extra key beyond SPEC §5). */
export interface ReportAttempt {
  attempt: number;
  outcome: Outcome;
  reason: string | null;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  exit_code: number | null;
  adopted: boolean;
}

export interface ReportWorker {
  feature: string;
  outcome: Outcome;
  /**
   * The earlier run this line is carried over from (an extra key beyond SPEC §5): a `wo run --failed`
   * report lists every worker of the plan, those it did not re-run with their latest outcome over the
   * earlier runs, as that run reported it. Null for a worker of this run. Carried-over workers are
   * not in `summary` or `usage`, nor in the exit code, JUnit, annotations, timings or hand-off.
   */
  from_run: string | null;
  reason: string | null;
  /** How many attempts were made (0 for a worker that never started). */
  attempts: number;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  branch: string;
  worktree: string;
  exit_code: number | null;
  /** The worker's .worker-result.md, or null when there was none. */
  result: string | null;
  /** Commits on its branch ahead of its base (SPEC §5); null when not known (no branch, git failed). */
  commits: number | null;
  /** What those commits change, base to branch tip; null when not known. */
  diffstat: Diffstat | null;
  /** True when `--push` pushed its branch; false when it tried and failed; null when not asked. */
  pushed: boolean | null;
  /** The draft pull request `--pr` opened or found; null otherwise. */
  pr_url: string | null;
  /** Why the push or the pull request did not happen (an extra key beyond SPEC §5); null when it did or was not asked. */
  handoff_error: string | null;
  /** The agent it ran (preset or custom name), and that program's version when wo asked it (SPEC §5). */
  agent: string | null;
  agent_version: string | null;
  /** The model the plan named for its agent (SPEC §11); absent when it named none. */
  model?: string;
  /** Tokens and cost its agent reported; null when the agent reports none. */
  usage: ReportUsage | null;
  /** A best-of worker's tries (SPEC §11), how each ended and which won; absent for an ordinary worker. */
  tries?: ReportTry[];
  /** Time its agent spent waiting for a person, ms; null when its agent reports no live state. */
  waiting_ms: number | null;
  /**
   * Time the run waited for its agent's rate limit to reset, ms (an extra key beyond SPEC §5: between
   * attempts, or at its prompt); null when it never hit one.
   */
  rate_limited_ms: number | null;
  /** What its terminal showed when it timed out or was left waiting (plain text); null otherwise. */
  last_screen: string | null;
  /**
   * Tool uses its agent's permissions denied (an extra key beyond SPEC §5: `claude-print`'s
   * `permission_denials`), each the tool and what it wanted; absent when none were recorded.
   */
  permission_denials?: ReportDenial[];
  attempt_details: ReportAttempt[];
  /**
   * A rehearsal's worker (SPEC §12; an extra key beyond SPEC §5): `agent`, its real agent against the
   * scripted model; `as-is`, a shell worker; `stand-in`, an agent that does not rehearse, stood in for
   * by a step that wrote `done`. Absent outside a rehearsal.
   */
  rehearsal?: 'agent' | 'as-is' | 'stand-in';
}

/** One tool use an agent's permissions denied: the tool, and what it wanted (its command, file or URL). */
export interface ReportDenial {
  tool: string;
  wanted: string;
}

/** Tokens and cost (SPEC §5 `usage`); a field an agent does not report is null. */
/** One try of a best-of worker (SPEC §11). */
export interface ReportTry {
  try: number;
  agent: string;
  model?: string;
  outcome: Outcome;
  /** Why it ended as it did, or why it cannot win (a judge that failed); null when it passed. */
  reason: string | null;
  /** Whether its verify passed; null when the worker has none or it did not run. */
  verify_passed: boolean | null;
  /** The judge's number; null without a judge or when it gave none. */
  score: number | null;
  /** Lines added and removed against its base; null when not known. */
  lines_changed: number | null;
  usage: ReportUsage | null;
  duration_ms: number | null;
  /** When it started and ended (ISO, UTC): the HTML report's timeline draws it. */
  started_at: string | null;
  finished_at: string | null;
  branch: string;
  winner: boolean;
}

export interface ReportUsage {
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cost_usd: number | null;
}

/** The run's usage: its workers' added up, and who is not in its cost (SPEC §5: a total says so). */
export interface RunUsage extends ReportUsage {
  /** This run's workers that ran and whose agent reported no cost: `cost_usd` leaves them out. */
  cost_left_out: string[];
}

export interface Diffstat {
  files: number;
  insertions: number;
  deletions: number;
}

/** Which part of a plan a `--shard i/n` run ran (1-based index). */
export interface ShardInfo {
  index: number;
  total: number;
}

export interface RunReport {
  run_id: string;
  /** The plan file, as the caller names it (relative to the repository root). */
  plan: string;
  started_at: string;
  finished_at: string;
  duration_ms: number;
  /** This run's workers by outcome (carried-over workers are not counted: see `from_run`). */
  summary: OutcomeCounts;
  /** The shard this run was (`--shard i/n`); null for a whole-plan run and for a merged report. */
  shard: ShardInfo | null;
  /** The workers' usage added up (runUsage in build.ts); null when no worker reported any. */
  usage?: RunUsage | null;
  /** True for `wo run --rehearse` (SPEC §12): no agent talked to its provider; usage is what the scripted model counted, cost 0. */
  rehearsal?: boolean;
  workers: ReportWorker[];
  /** The integration of the done workers into one branch (SPEC §10); absent when none was asked for. */
  integration?: ReportIntegration | null;
  /** What the conflict radar predicted while the workers ran (SPEC §10); absent without `integrate:`. */
  predicted_conflicts?: PredictedConflict[];
}

/** Two done workers' branches that would conflict when merged (git merge-tree), and where. */
export interface PredictedConflict {
  feature: string;
  with: string;
  files: string[];
}

/** A worker whose merge conflicted: the files, and the already merged workers it collides with. */
export interface IntegrationConflict {
  feature: string;
  files: string[];
  with: string[];
  /** How it ended (an extra key beyond SPEC §10): skipped, stopped, or why an agent's resolution was refused. */
  resolution: string;
}

/** report.json `integration` (SPEC §10). */
export interface ReportIntegration {
  branch: string;
  base: string;
  /** The integration branch's commit at the end; null when it could not be made. */
  head: string | null;
  /** Features merged, in merge order (an agent-resolved one included). */
  merged: string[];
  conflicts: IntegrationConflict[];
  /** Features never tried: the merge stopped before them (`on_conflict: stop`, or an error). */
  not_merged: string[];
  /** null when there was no verify command, or nothing was merged. */
  verify: {
    command: string;
    exit_code: number | null;
    passed: boolean;
    /** The first worker whose merge makes verify fail (bisection); null when it passed. */
    culprit: string | null;
    /** The sentence naming it: `verify passes with login, cart; fails once signup is merged`. */
    finding: string | null;
    /** How many times verify ran (an extra key: at most ceil(log2 n) + 1). */
    runs: number;
    /** The last lines of the failing run's output; null when it passed. */
    output: string | null;
  } | null;
  outcome: 'integrated' | 'partial' | 'failed';
  /** Why it failed when no conflict or verify says so (an error); null otherwise. */
  reason: string | null;
  duration_ms: number;
  /** The hand-off of the integration branch (`--push`, `--pr`); null when not asked. */
  pushed?: boolean | null;
  pr_url?: string | null;
  handoff_error?: string | null;
}

/** .wo/last-run.json: where the latest report is. */
export interface LastRun {
  run_id: string;
  /** Absolute folder of the report. */
  report_dir: string;
  /** Absolute path of report.json. */
  report_json: string;
  finished_at: string;
}
