// The keys of report.json as SPEC §5 lists them, written down once for every test that checks them.

export const REPORT_KEYS = [
  'run_id',
  'plan',
  'started_at',
  'finished_at',
  'duration_ms',
  'summary',
  'shard',
  'usage',
  'workers',
];

export const REPORT_WORKER_KEYS = [
  'feature',
  'outcome',
  'reason',
  'attempts',
  'started_at',
  'finished_at',
  'duration_ms',
  'branch',
  'worktree',
  'exit_code',
  'result',
  // v2 (SPEC §5), where known, null otherwise
  'commits',
  'diffstat',
  'pushed',
  'pr_url',
  'agent',
  'agent_version',
  'usage',
  'waiting_ms',
  'last_screen',
];

/** The keys of each of a best-of worker's `tries` (SPEC §11). */
export const REPORT_TRY_KEYS = [
  'try',
  'agent',
  'outcome',
  'reason',
  'verify_passed',
  'score',
  'lines_changed',
  'usage',
  'duration_ms',
  'branch',
  'winner',
];
