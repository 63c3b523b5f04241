// wo status [feature]: WORKER │ STATUS │ DURATION │ LAST OUTPUT, or --json.
import type { Context } from '../context.js';
import type { Workspace } from '../workspace.js';
import { formatDuration } from '../plan/duration.js';
import {
  assertFeatureName,
  byName,
  durationMs,
  findTries,
  findWorkers,
  unknownWorker,
  workerState,
  type WorkerView,
} from '../worker/inspect.js';
import { lastOutput } from '../protocol/lastline.js';
import { sessionUsage } from '../worker/agent-report.js';
import type { Usage } from '../agents/types.js';
import { endedWord } from '../life/state.js';
import { worktreesRoot } from '../worktree/layout.js';
import { protocolPaths } from '../protocol/protocol.js';
import { lastReported, reportedOnly, type ReportedOnly } from '../run/history.js';
import { parseTry } from '../life/tries.js';
import { openCommandWorkspace } from './settings.js';
// Static: a dynamic import beside the table's (display, below) would load while they do.
import { readRadar } from '../integrate/radar.js';
import { radarText } from '../ui/words.js';

export interface StatusOptions {
  json?: boolean;
}

/** LAST OUTPUT's width when stdout is not a terminal (a terminal cuts it to fit its width). */
export const PLAIN_OUTPUT_WIDTH = 120;
/** A JSON consumer gets the whole line, up to this many characters. */
const JSON_OUTPUT_CHARS = 1000;

export interface StatusEntry {
  /** A try's worker (SPEC §11: `parser` for `parser.try2`); absent for a worker. */
  try_of?: string;
  /** What the conflict radar predicts for this worker (SPEC §10); absent when nothing. */
  predicted_conflicts?: Array<{ with: string; files: string[] }>;
  feature: string;
  status: string;
  reason: string | null;
  session: string;
  session_alive: boolean;
  worktree: string;
  branch: string | null;
  started_at: string | null;
  finished_at: string | null;
  duration_ms: number | null;
  last_output: string | null;
  exit_code: number | null;
  /**
   * While it runs: queued, preparing, starting, working, waiting, rate-limited or verifying (SPEC §1
   * live states; queued, preparing and verifying only while the run that holds it is live).
   */
  live: string | null;
  /** The agent's own words while it waits or is rate-limited. */
  message: string | null;
  /** `rate-limited`: when the limit resets (ISO 8601), when the agent said so. */
  resets_at: string | null;
  /**
   * Tokens and cost its agent reported so far (SPEC §5 `usage`: a headless agent's result, an
   * interactive Claude's transcript); null when it reported none. A field it does not report is null.
   */
  usage: Usage | null;
  /** Time its agent has spent waiting for a person, ms. */
  waiting_ms: number;
}

export async function statusCommand(ctx: Context, feature: string | undefined, opts: StatusOptions = {}) {
  if (feature !== undefined) assertFeatureName(feature);
  const ws = await openCommandWorkspace(ctx, { tmux: true });
  return showStatus(ctx, ws, feature, opts);
}

const COLORS: Record<string, number> = {
  queued: 33,
  preparing: 33,
  running: 33,
  working: 33,
  starting: 33,
  verifying: 33,
  waiting: 35,
  'rate-limited': 35,
  done: 32,
  failed: 31,
};

export function useColor(ctx: Context): boolean {
  return ctx.io.isTTY && !ctx.env.NO_COLOR;
}

export async function showStatus(
  ctx: Context,
  ws: Workspace,
  feature: string | undefined,
  opts: StatusOptions,
): Promise<number> {
  // The table code (string-width: ~25 ms to load) loads while git and tmux are asked about workers.
  const display = opts.json ? undefined : Promise.all([import('../ui/table.js'), import('../ui/width.js')]);
  display?.catch(() => {}); // awaited below; a failure there is reported there
  // A session found gone without a final status is recorded as failed, in the worker's files.
  const views = await findWorkers(ws, { feature });
  // A best-of worker's tries are shown under it (SPEC §11), as in the whole table.
  if (feature !== undefined && !parseTry(feature)) views.push(...(await findTries(ws, feature)));
  // A worker of the plan that was skipped has no worktree: the report's line stands in (SPEC §5).
  const reported = await reportedOnly(ws.repoRoot, new Set(views.map((v) => v.feature)), feature);
  if (feature !== undefined && views.length === 0 && reported.length === 0)
    throw await unknownWorker(ws, feature);

  const now = Date.now();
  const entries = await underTheirWorkers(
    ws,
    (await Promise.all(views.map((v) => entry(v, now)))).concat(reported.map((r) => reportedEntry(ws, r))),
    now,
  );
  for (const v of views) {
    if (v.recordedLost) {
      ctx.io.err(`wo: worker ${v.feature}: its session ended without a status; recorded as failed.\n`);
    }
  }

  // The conflict radar's predictions of the latest run with `integrate:` (SPEC §10), for the workers shown.
  const shownFeatures = new Set(entries.map((e) => e.feature));
  const predicted = (await readRadar(ws.repoRoot)).filter(
    (c) => shownFeatures.has(c.feature) || shownFeatures.has(c.with),
  );
  if (opts.json) {
    for (const e of entries) {
      const mine = predicted.filter((c) => c.feature === e.feature);
      if (mine.length) e.predicted_conflicts = mine.map((c) => ({ with: c.with, files: c.files }));
    }
    ctx.io.out(`${JSON.stringify(entries, null, 2)}\n`);
    return 0;
  }
  if (entries.length === 0) {
    ctx.io.out(
      `no workers (no worktrees with worker files in ${worktreesRoot(ws.layout)}, no ${ws.layout.prefix}* sessions). Start one with: wo spawn <feature> "<task>" --create\n`,
    );
    return 0;
  }
  const [{ renderTable }, { truncate }] = await display!;
  const maxWidth = ctx.io.isTTY ? (ctx.io.columns ?? 80) : undefined;
  const rows = entries.map((e) => {
    // A running worker shows its live state; one that waits shows what its agent asks; one that
    // never started, why.
    const shown = e.message ?? e.last_output ?? (e.status === 'skipped' ? (e.reason ?? '') : '');
    return [
      e.try_of !== undefined ? `  ${e.feature}` : e.feature,
      e.live ?? e.status,
      e.duration_ms === null ? '-' : formatDuration(e.duration_ms),
      maxWidth === undefined ? truncate(shown, PLAIN_OUTPUT_WIDTH) : shown,
    ];
  });
  const color = useColor(ctx);
  const paint = (text: string, column: number, row: number) => {
    const code = COLORS[rows[row]?.[1] ?? ''];
    return color && column === 1 && code ? `\x1b[${code}m${text}\x1b[39m` : text;
  };
  ctx.io.out(renderTable(['WORKER', 'STATUS', 'DURATION', 'LAST OUTPUT'], rows, { maxWidth, paint }));
  if (predicted.length) {
    ctx.io.out(`\n${predicted.map((c) => `${radarText(c)}\n`).join('')}`);
  }
  return 0;
}

/** A worker only a report knows (skipped, no worktree): its outcome and reason, nothing live. */
function reportedEntry(ws: Workspace, r: ReportedOnly): StatusEntry {
  const loc = ws.locate(r.feature);
  return {
    feature: r.feature,
    status: r.outcome,
    reason: r.reason,
    session: loc.session,
    session_alive: false,
    worktree: loc.worktree,
    branch: null,
    started_at: null,
    finished_at: null,
    duration_ms: null,
    last_output: null,
    exit_code: null,
    live: null,
    message: null,
    resets_at: null,
    waiting_ms: 0,
    usage: null,
  };
}

async function entry(v: WorkerView, now: number): Promise<StatusEntry> {
  // Status works on half-written state: a log not there (or not readable) shows no last output.
  const last = await lastOutput(protocolPaths(v.loc.worktree).log).catch(() => undefined);
  return {
    feature: v.feature,
    status: endedWord(workerState(v)), // the report's word: timeout, crashed, interrupted (SPEC §5)
    reason: v.reason ?? null,
    session: v.loc.session,
    session_alive: v.sessionAlive,
    worktree: v.loc.worktree,
    branch: v.branch ?? null,
    started_at: v.startedAt ?? null,
    finished_at: v.finishedAt ?? null,
    duration_ms: durationMs(v, now) ?? null,
    last_output: last === undefined ? null : last.slice(0, JSON_OUTPUT_CHARS),
    exit_code: v.exitCode,
    live: v.live ?? null,
    message: (!v.decision.final && v.decision.message) || null,
    resets_at: v.resetsAt ?? null,
    waiting_ms: v.waitingMs,
    usage:
      v.usage ??
      (v.live === 'queued' || v.live === 'preparing' ? undefined : await sessionUsage(v.loc.stateDir)) ??
      null,
  };
}

/**
 * The entries in name order, each try under its worker (SPEC §11). A best-of worker has no worktree
 * of its own: its line says `running` while a try is, else what the latest report judged.
 */
async function underTheirWorkers(ws: Workspace, entries: StatusEntry[], now: number): Promise<StatusEntry[]> {
  const groups = new Map<string, StatusEntry[]>();
  for (const e of entries) {
    const t = parseTry(e.feature);
    if (!t) continue;
    e.try_of = t.feature;
    groups.set(t.feature, [...(groups.get(t.feature) ?? []), e]);
  }
  const shown = new Set(entries.map((e) => e.feature));
  for (const [f, tries] of groups) {
    if (shown.has(f)) continue;
    const busy = tries.some((t) => t.live !== null || t.status === 'running');
    const judged = busy ? undefined : await lastReported(ws.repoRoot, f);
    // Its time: from its first try's start to its last try's end (or now, while one runs).
    const starts = tries.flatMap((t) => (t.started_at ? [Date.parse(t.started_at)] : []));
    const ends = tries.flatMap((t) => (t.finished_at ? [Date.parse(t.finished_at)] : []));
    const start = starts.length ? Math.min(...starts) : undefined;
    const end = busy ? now : ends.length ? Math.max(...ends) : undefined;
    entries.push({
      ...reportedEntry(ws, { feature: f, outcome: judged?.outcome ?? 'running', reason: null, plan: '' }),
      reason: judged?.reason ?? null,
      branch: ws.locate(f).branch,
      started_at: start === undefined ? null : new Date(start).toISOString(),
      finished_at: busy || end === undefined ? null : new Date(end).toISOString(),
      duration_ms: start === undefined || end === undefined ? null : end - start,
      last_output: `best of ${tries.length}${judged?.reason ? `: ${judged.reason}` : ''}`,
    });
  }
  const key = (e: StatusEntry) => e.try_of ?? e.feature;
  return entries.sort((a, b) => byName(key(a), key(b)) || byName(a.feature, b.feature));
}
